package online.hypermesh.protocol.stoq;

import io.netty.handler.codec.quic.QuicStreamChannel;

/**
 * A service other than {@code stoq/1} served on the shared STOQ UDP port, chosen by TLS ALPN:
 * DNS over QUIC (RFC 9250, ALPN {@code doq}) is the first. Connections that negotiate its ALPN
 * skip the STOQ handshake and frames entirely; their streams are handed to {@link #initStream}.
 *
 * <p>Register with {@link StoqServer} before {@code start()}. Its ALPN id must not be {@link
 * StoqProtocol#ALPN}, and two services must not share one.
 */
public interface QuicService {

  /** The TLS ALPN id, e.g. {@code "doq"}. */
  String alpn();

  /**
   * Sets up a stream the peer opened on a connection that negotiated {@link #alpn()}: add the
   * service's handlers to {@code stream.pipeline()}. Called on the connection's event loop; must
   * not block.
   */
  void initStream(QuicStreamChannel stream);
}
