package online.hypermesh.protocol.stoq;

import io.netty.handler.codec.quic.QuicStreamChannel;

/**
 * A service other than {@code stoq/1} served on the shared STOQ UDP port, chosen by TLS ALPN:
 * DNS over QUIC (RFC 9250, ALPN {@code doq}) is the first. Connections that negotiate its ALPN
 * skip the STOQ handshake and frames entirely; their streams are handed to {@link #initStream}.
 *
 * <p>Register with {@link StoqServer} before {@code start()}. Its ALPN id must not be {@link
 * StoqProtocol#ALPN}, and two services must not share one.
 *
 * <p>What the stream looks like: peer-opened bidirectional streams only (the server grants no
 * unidirectional ones), with {@code ALLOW_HALF_CLOSURE}: the peer's FIN arrives as a {@code
 * ChannelInputShutdownEvent} and the stream stays writable; end it by writing {@code
 * QuicStreamFrame.EMPTY_FIN} (or the last data in a frame with FIN), which is ordered after the
 * queued data ({@code shutdownOutput()} does not wait for it: a large answer can lose its tail
 * that way, seen in StoqServiceAlpnTest under load). Messages are {@code ByteBuf}s in arbitrary pieces. The
 * stream and connection limits and the idle timeout are STOQ's ({@link StoqSettings}); the STOQ
 * handshake timeout only bounds the TLS handshake, since the ALPN is known only after it.
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
