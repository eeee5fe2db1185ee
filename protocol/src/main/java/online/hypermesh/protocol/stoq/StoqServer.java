package online.hypermesh.protocol.stoq;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STOQ listener: QUIC over UDP/IPv6, ALPN {@code stoq/1}, carrying REQUEST frames to a
 * {@link StoqHandler} and its answers back.
 *
 * <p>One event-loop thread serves the socket and every connection on it: QUIC demultiplexes
 * connections in user space from a single UDP socket, so more threads would only help with
 * several sockets (SO_REUSEPORT + epoll, a later optimisation). Handlers must therefore not block.
 *
 * <p>Other services share the port through TLS ALPN ({@link QuicService}, e.g. DNS over QUIC as
 * {@code doq}): a connection that negotiates a service's ALPN skips the STOQ handshake and frames,
 * and each stream it opens goes to {@link QuicService#initStream}; it is not counted in {@link
 * #activeConnections()}. An ALPN neither STOQ nor a service knows is refused by TLS (alert
 * no_application_protocol).
 *
 * <p>Key exchange with services: TLS groups are chosen before ALPN, so one list serves every ALPN.
 * DoQ clients such as kdig (GnuTLS) offer no X25519MLKEM768, so the default list (hybrid first,
 * then X25519) keeps X25519, and the server logs a warning if services are registered without a
 * classical group. The consequence for {@code stoq/1}: a client that offers only X25519 gets a
 * classical TLS key exchange too. Its payloads stay confidential against a future quantum
 * adversary only through the STOQ layer (ML-KEM-1024 keys, AES-256-GCM sealing with {@code
 * payload-protection = on}); with payload protection off such a connection's traffic is protected
 * by classical TLS alone. Clients built on {@link StoqTls} offer the hybrid group first and the
 * server prefers it.
 *
 * <p>Use: {@code int port = server.start(); ... server.close();}
 */
public final class StoqServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StoqServer.class);

  /** UDP socket buffers; the kernel caps this at net.core.rmem_max / wmem_max. */
  static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

  private final StoqSettings settings;
  private final StoqHandler handler;
  private final StoqTls tls;
  /**
   * Null: development mode, peers are not authenticated. Read when a connection starts, so
   * {@link #updateIdentity} applies to new handshakes.
   */
  private volatile StoqIdentity identity;
  /** By ALPN id, in registration order. */
  private final Map<String, QuicService> services;

  private final AtomicInteger activeConnections = new AtomicInteger();
  private final AtomicInteger activeServiceConnections = new AtomicInteger();
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final AtomicLong droppedIpv4Datagrams = new AtomicLong();
  private final Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();

  private EventLoopGroup group;
  private Channel channel;
  private boolean closed;

  /**
   * Development mode with an ephemeral TLS certificate: see {@link #StoqServer(StoqSettings,
   * StoqHandler, StoqTls)}.
   *
   * @deprecated peers are not authenticated; use {@link #StoqServer(StoqSettings, StoqHandler,
   *     StoqTls, StoqIdentity)}
   */
  @Deprecated
  public StoqServer(StoqSettings settings, StoqHandler handler) {
    this(settings, handler, StoqTls.defaults());
  }

  /**
   * Development mode: no STOQ handshake, so clients are <em>not authenticated</em> and payloads
   * are not sealed (TLS only). The handler sees {@link StoqPeer#authenticated()} false and must
   * not authorize anything on it; {@link #start()} logs a warning. Kept so existing callers
   * compile; anything reachable beyond a trusted network must pass a {@link StoqIdentity}.
   *
   * @deprecated use {@link #StoqServer(StoqSettings, StoqHandler, StoqTls, StoqIdentity)}
   */
  @Deprecated
  public StoqServer(StoqSettings settings, StoqHandler handler, StoqTls tls) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.tls = Objects.requireNonNull(tls, "tls");
    this.identity = null;
    this.services = Map.of();
  }

  /**
   * An authenticating server: every connection must complete the STOQ handshake ({@link
   * StoqHandshake}) on its first stream with a client certificate chain that {@code identity}'s
   * trust anchor and revocation set accept, before any request is served.
   */
  public StoqServer(
      StoqSettings settings, StoqHandler handler, StoqTls tls, StoqIdentity identity) {
    this(settings, handler, tls, identity, List.of());
  }

  /**
   * An authenticating server that also serves {@code services} on the same port, each under its
   * own ALPN.
   *
   * @throws IllegalArgumentException if an ALPN id is {@code stoq/1}, appears twice, or is not 1
   *     to 255 printable ASCII characters
   */
  public StoqServer(
      StoqSettings settings,
      StoqHandler handler,
      StoqTls tls,
      StoqIdentity identity,
      List<QuicService> services) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.tls = Objects.requireNonNull(tls, "tls");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.services = byAlpn(Objects.requireNonNull(services, "services"));
  }

  private static Map<String, QuicService> byAlpn(List<QuicService> services) {
    Map<String, QuicService> byAlpn = new LinkedHashMap<>();
    for (QuicService service : services) {
      Objects.requireNonNull(service, "service");
      String alpn = service.alpn();
      if (alpn == null || alpn.isEmpty() || alpn.length() > 255
          || !alpn.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "invalid ALPN id " + (alpn == null ? null : "'" + alpn + "'")
                + ": must be 1 to 255 printable ASCII characters");
      }
      if (alpn.equals(StoqProtocol.ALPN)) {
        throw new IllegalArgumentException("ALPN " + alpn + " is STOQ's own");
      }
      if (byAlpn.putIfAbsent(alpn, service) != null) {
        throw new IllegalArgumentException("two services for ALPN " + alpn);
      }
    }
    return Collections.unmodifiableMap(byAlpn);
  }

  /**
   * Binds the UDP socket and starts serving; blocks until bound.
   *
   * @return the bound port (the real one when settings ask for port 0)
   * @throws IllegalStateException if already started/closed, QUIC's native library is missing, or
   *     the address cannot be bound
   */
  public synchronized int start() {
    if (channel != null || closed) {
      throw new IllegalStateException("STOQ server already started or closed");
    }
    Quic.ensureAvailability();
    StoqTls.ServerMaterial material = tls.serverMaterial(certificateAddresses());
    QuicSslContext sslContext = tls.serverContext(material, List.copyOf(services.keySet()));
    if (!services.isEmpty()
        && !tls.keyExchangeGroups().contains(StoqProtocol.GROUP_X25519)) {
      log.warn("STOQ TLS groups {} have no classical group: clients of {} that lack the hybrid "
          + "group (e.g. DoQ resolvers) cannot connect", tls.keyExchangeGroups(), services.keySet());
    }
    ChannelHandler codec = buildCodec(sslContext, StoqHandshake.tlsBinding(material.leaf()));
    if (identity == null) {
      log.warn("STOQ server without identity: clients are NOT authenticated and payloads are not "
          + "sealed (development mode only)");
    }
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("stoq-server"), NioIoHandler.newFactory());
    Ipv6OnlyFilter ipv6Only = new Ipv6OnlyFilter(droppedIpv4Datagrams);
    InetSocketAddress bindTo = new InetSocketAddress(settings.bindAddress(), settings.port());
    try {
      channel =
          new Bootstrap()
              .group(group)
              // INET6 explicitly: the socket cannot silently become an IPv4 one.
              .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
              // Bursts from many streams overflow the default ~200 KiB and cost retransmits.
              .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
              .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
              .handler(
                  new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                      ch.pipeline().addLast(ipv6Only, codec);
                    }
                  })
              .bind(bindTo)
              .sync()
              .channel();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      group = null;
      throw new IllegalStateException("cannot bind STOQ to udp " + bindTo + ": " + e, e);
    } catch (Throwable t) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      group = null;
      throw t;
    }
    InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
    List<String> alpns = new ArrayList<>();
    alpns.add(StoqProtocol.ALPN);
    alpns.addAll(services.keySet());
    log.info("STOQ listening on udp [{}]:{} (ALPN {})",
        bound.getAddress().getHostAddress(), bound.getPort(), String.join(", ", alpns));
    return bound.getPort();
  }

  private ChannelHandler buildCodec(QuicSslContext sslContext, byte[] tlsBinding) {
    StoqHandler requestHandler = handler;
    int maxFrameBytes = settings.maxFrameBytes();
    return new QuicServerCodecBuilder()
        .sslContext(sslContext)
        .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .initialMaxData(settings.initialMaxData())
        .initialMaxStreamDataBidirectionalRemote(settings.initialMaxStreamData())
        .initialMaxStreamDataBidirectionalLocal(settings.initialMaxStreamData())
        .initialMaxStreamsBidirectional(settings.maxBidiStreams())
        // v1 uses client-opened bidirectional streams only.
        .initialMaxStreamsUnidirectional(0)
        .tokenHandler(NoRetryTokenHandler.INSTANCE)
        .handler(
            new ChannelInitializer<QuicChannel>() {
              @Override
              protected void initChannel(QuicChannel ch) {
                ch.pipeline()
                    .addLast(
                        new ServerConnectionHandler(
                            settings.handshakeTimeout(),
                            activeConnections,
                            connections,
                            identity,
                            settings.payloadProtection(),
                            tlsBinding,
                            services,
                            activeServiceConnections));
              }
            })
        // Keep the stream open after the client's FIN so the answers can still be written.
        .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .streamHandler(
            new ChannelInitializer<QuicStreamChannel>() {
              @Override
              protected void initChannel(QuicStreamChannel ch) {
                activeStreams.incrementAndGet();
                ch.closeFuture().addListener(f -> activeStreams.decrementAndGet());
                ServerConnection connection = ServerConnection.of(ch.parent());
                if (connection.service() != null) {
                  connection.service().initStream(ch);
                  return;
                }
                if (connection.authenticating() && ch.streamId() == 0) {
                  ch.pipeline()
                      .addLast(
                          new FrameDecoder(
                              FrameCodec.MIN_FRAME_BYTES + HandshakeMessage.MAX_MESSAGE_BYTES,
                              true),
                          new ServerHandshakeHandler(connection));
                  return;
                }
                ch.pipeline()
                    .addLast(
                        new FrameDecoder(maxFrameBytes, false, false, true),
                        new ServerStreamHandler(
                            requestHandler, connection, maxFrameBytes, settings.requestTimeout()));
              }
            })
        .build();
  }

  /** Names for the ephemeral certificate: the bind address if specific, and loopback. */
  private List<InetAddress> certificateAddresses() {
    List<InetAddress> addresses = new ArrayList<>();
    InetAddress bind = settings.bindAddress();
    if (!bind.isAnyLocalAddress()) {
      addresses.add(bind);
    }
    InetAddress loopback = StoqSettings.ipv6("::1");
    if (!addresses.contains(loopback)) {
      addresses.add(loopback);
    }
    return addresses;
  }

  /**
   * Presents {@code renewed} (e.g. a renewed certificate for the same key) in every handshake from
   * now on; connections already established keep what they authenticated with.
   *
   * @throws IllegalStateException on a development-mode server (it has no identity to replace)
   */
  public void updateIdentity(StoqIdentity renewed) {
    Objects.requireNonNull(renewed, "renewed");
    if (identity == null) {
      throw new IllegalStateException("a development-mode STOQ server has no identity to update");
    }
    identity = renewed;
  }

  /** The identity new handshakes use; null in development mode. */
  public StoqIdentity identity() {
    return identity;
  }

  /** The bound address, or null before {@link #start()}. */
  public synchronized InetSocketAddress localAddress() {
    return channel == null ? null : (InetSocketAddress) channel.localAddress();
  }

  /** Connections that completed the handshake and are still open. */
  public int activeConnections() {
    return activeConnections.get();
  }

  /** Open connections of the {@link QuicService}s (not counted as STOQ connections). */
  public int activeServiceConnections() {
    return activeServiceConnections.get();
  }

  /** Streams currently open on all connections, services' included. */
  public int activeStreams() {
    return activeStreams.get();
  }

  /** Datagrams dropped because they came from an IPv4 sender (dual-stack socket). */
  public long droppedIpv4Datagrams() {
    return droppedIpv4Datagrams.get();
  }

  /**
   * Closes every connection with application close code {@link StoqProtocol#CLOSE_NO_ERROR} and
   * reason "server shutting down", then the socket and the event loop. Idempotent; blocks for at
   * most a few seconds.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (channel == null) {
      return;
    }
    List<ChannelFuture> closing = new ArrayList<>();
    for (QuicChannel connection : connections) {
      closing.add(
          connection.close(
              true,
              StoqProtocol.CLOSE_NO_ERROR,
              Unpooled.copiedBuffer("server shutting down", StandardCharsets.UTF_8)));
    }
    for (ChannelFuture future : closing) {
      future.awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    log.info("STOQ server closed ({} connections closed)", closing.size());
  }
}
