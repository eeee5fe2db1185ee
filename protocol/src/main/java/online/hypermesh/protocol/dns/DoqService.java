package online.hypermesh.protocol.dns;

import io.netty.handler.codec.quic.QuicStreamChannel;
import online.hypermesh.protocol.stoq.QuicService;

import java.time.Duration;

/** DNS over QUIC (RFC 9250) on the STOQ port: ALPN {@code doq}, one query per client-opened stream. */
public final class DoqService implements QuicService {

  public static final String ALPN = "doq";
  /** RFC 9250 section 4.3: the application error codes. */
  public static final int DOQ_NO_ERROR = 0x0;
  public static final int DOQ_INTERNAL_ERROR = 0x1;
  public static final int DOQ_PROTOCOL_ERROR = 0x2;
  public static final int DOQ_REQUEST_CANCELLED = 0x3;

  private final DnsResponder responder;
  private final Duration streamTimeout;

  /** @param streamTimeout how long a stream may take to deliver its query and take its answer */
  public DoqService(DnsResponder responder, Duration streamTimeout) {
    this.responder = responder;
    this.streamTimeout = streamTimeout;
  }

  @Override
  public String alpn() {
    return ALPN;
  }

  @Override
  public void initStream(QuicStreamChannel stream) {
    stream.pipeline().addLast(new DoqStreamHandler(responder, streamTimeout));
  }
}
