package online.hypermesh.protocol.stoq;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-connection bookkeeping on the server: counts established connections, tracks every
 * connection so {@link StoqServer#close()} can close them with an application code, and drops
 * connections whose handshake does not finish in time (QUIC's idle timeout alone would let a
 * stalled handshake hold state for the whole idle period).
 */
final class ServerConnectionHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ServerConnectionHandler.class);

  private final Duration handshakeTimeout;
  private final AtomicInteger activeConnections;
  private final Set<QuicChannel> connections;
  /** Null in development mode (no STOQ handshake). */
  private final StoqIdentity identity;
  private final boolean payloadProtection;
  private final byte[] tlsBinding;
  /** By ALPN id; stoq/1 is not in it. */
  private final Map<String, QuicService> services;
  private final AtomicInteger activeServiceConnections;
  private ScheduledFuture<?> handshakeTimer;
  private boolean serviceConnection;
  private boolean established;

  ServerConnectionHandler(
      Duration handshakeTimeout,
      AtomicInteger activeConnections,
      Set<QuicChannel> connections,
      StoqIdentity identity,
      boolean payloadProtection,
      byte[] tlsBinding,
      Map<String, QuicService> services,
      AtomicInteger activeServiceConnections) {
    this.handshakeTimeout = handshakeTimeout;
    this.activeConnections = activeConnections;
    this.connections = connections;
    this.identity = identity;
    this.payloadProtection = payloadProtection;
    this.tlsBinding = tlsBinding;
    this.services = services;
    this.activeServiceConnections = activeServiceConnections;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    QuicChannel channel = (QuicChannel) ctx.channel();
    ServerConnection connection =
        identity == null
            ? ServerConnection.development(channel)
            : ServerConnection.authenticating(
                channel,
                new StoqHandshake.Server(
                    identity, payloadProtection, tlsBinding, channel.remoteSocketAddress()));
    channel.attr(ServerConnection.KEY).set(connection);
    connections.add(channel);
    channel.closeFuture().addListener(f -> connections.remove(channel));
    // Covers the QUIC/TLS handshake and, for stoq/1, the STOQ handshake after it. The ALPN is
    // only known once TLS is done, so service connections are bounded by it until then too.
    handshakeTimer =
        ctx.executor()
            .schedule(
                () -> {
                  if (!established) {
                    log.debug("STOQ handshake with {} timed out", channel.remoteSocketAddress());
                    ctx.close();
                  } else if (connection.session() == null) {
                    connection.fail(
                        StoqError.HANDSHAKE_FAILED,
                        "no STOQ handshake within " + handshakeTimeout.toMillis() + " ms");
                  }
                },
                handshakeTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // A server-side QuicChannel becomes active once the QUIC/TLS handshake is complete.
    established = true;
    QuicChannel channel = (QuicChannel) ctx.channel();
    ServerConnection connection = ServerConnection.of(channel);
    String alpn = channel.sslEngine().getApplicationProtocol();
    // Null-safe lookup: Map.of() (no services) throws on a null key.
    QuicService service = alpn == null ? null : services.get(alpn);
    if (service != null) {
      // Not STOQ: no STOQ handshake, no STOQ frames, not a STOQ connection in the counts.
      handshakeTimer.cancel(false);
      serviceConnection = true;
      connection.serve(service);
      activeServiceConnections.incrementAndGet();
      log.debug("{} connection from {}", service.alpn(), channel.remoteSocketAddress());
      ctx.fireChannelActive();
      return;
    }
    if (!connection.authenticating()) {
      handshakeTimer.cancel(false);
    }
    activeConnections.incrementAndGet();
    log.debug("STOQ connection from {}", channel.remoteSocketAddress());
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handshakeTimer.cancel(false);
    ended(ctx);
    ctx.fireChannelInactive();
  }

  /**
   * Counts the connection out once. A connection the peer closed is over at once for us, even
   * though QUIC keeps it in the draining state (3 PTOs, seconds on a loaded host) before Netty
   * reports it inactive.
   */
  private void ended(ChannelHandlerContext ctx) {
    if (established) {
      established = false;
      (serviceConnection ? activeServiceConnections : activeConnections).decrementAndGet();
      log.debug("STOQ connection ended: {}", ctx.channel());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
      log.debug("STOQ TLS handshake failed: {}", handshake.cause().toString());
    } else if (evt instanceof QuicConnectionCloseEvent close) {
      log.debug("STOQ peer closed connection: {}", close);
      ended(ctx);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("STOQ connection error: {}", cause.toString());
  }
}
