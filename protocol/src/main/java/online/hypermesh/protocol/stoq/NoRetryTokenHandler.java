package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;

/**
 * Never sends QUIC Retry packets, so handshakes take one round trip less.
 *
 * <p>Why not Netty's InsecureQuicTokenHandler: its tokens are not authenticated, so anyone can
 * mint one for a victim's address and the address validation it claims is void. QUIC's built-in
 * 3x anti-amplification limit still applies without Retry. A later issue can add HMAC-signed
 * tokens if handshake floods become a concern.
 */
final class NoRetryTokenHandler implements QuicTokenHandler {

  static final NoRetryTokenHandler INSTANCE = new NoRetryTokenHandler();

  private NoRetryTokenHandler() {}

  @Override
  public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
    return false;
  }

  @Override
  public int validateToken(ByteBuf token, InetSocketAddress address) {
    return -1;
  }

  @Override
  public int maxTokenLength() {
    return 0;
  }
}
