package online.hypermesh.protocol.stoq;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STOQ state of one server-side QUIC connection, kept as an attribute of its {@link
 * QuicChannel} so its streams find it. Only touched on the connection's event loop, except {@link
 * #session} which is volatile for readers elsewhere.
 */
final class ServerConnection {

  static final AttributeKey<ServerConnection> KEY = AttributeKey.valueOf("stoq.connection");

  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /** Reasons are cut to this many bytes: a QUIC close frame must fit one packet. */
  static final int MAX_REASON_BYTES = 512;

  private final QuicChannel channel;
  /** Null in development mode. */
  private final StoqHandshake.Server handshake;
  private volatile StoqSession session;
  private boolean failed;
  /** Set once TLS negotiated a service ALPN: the connection is then not STOQ at all. */
  private QuicService service;

  private ServerConnection(QuicChannel channel, StoqHandshake.Server handshake) {
    this.channel = channel;
    this.handshake = handshake;
  }

  static ServerConnection authenticating(QuicChannel channel, StoqHandshake.Server handshake) {
    return new ServerConnection(channel, handshake);
  }

  static ServerConnection development(QuicChannel channel) {
    ServerConnection connection = new ServerConnection(channel, null);
    connection.session = StoqSession.unauthenticated(StoqPeer.unauthenticated(channel.remoteSocketAddress()));
    return connection;
  }

  static ServerConnection of(QuicChannel channel) {
    return channel.attr(KEY).get();
  }

  /** Whether the first stream carries the STOQ handshake. */
  boolean authenticating() {
    return handshake != null;
  }

  /** The service whose ALPN the connection negotiated, or null for a STOQ connection. */
  QuicService service() {
    return service;
  }

  void serve(QuicService service) {
    this.service = service;
  }

  StoqHandshake.Server handshake() {
    return handshake;
  }

  /** The session once the handshake is done (immediately in development mode), else null. */
  StoqSession session() {
    return session;
  }

  void established(StoqSession session) {
    this.session = session;
    log.debug("STOQ peer authenticated on {}: CN={} role={}",
        channel.remoteSocketAddress(), session.peer().commonName(), session.peer().role());
  }

  /** Closes the connection with the error's code as the QUIC application close code. */
  void fail(StoqError error, String reason) {
    if (failed) {
      return;
    }
    failed = true;
    log.info("STOQ handshake with {} failed: {} {}", channel.remoteSocketAddress(), error, reason);
    close(channel, error, reason);
  }

  static void close(QuicChannel channel, StoqError error, String reason) {
    byte[] utf8 = (error + ": " + reason).getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_REASON_BYTES) {
      utf8 = java.util.Arrays.copyOf(utf8, MAX_REASON_BYTES);
    }
    channel.close(true, error.code(), Unpooled.wrappedBuffer(utf8));
  }
}
