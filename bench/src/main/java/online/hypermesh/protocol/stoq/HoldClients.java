package online.hypermesh.protocol.stoq;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bench only: many STOQ client connections from one process, for {@code bench stoq --hold N}.
 *
 * <p>{@link StoqClient} gives every connection its own UDP socket and event-loop thread, which
 * cannot reach 100,000 connections. This class runs the same per-connection client code as
 * StoqClient: QUIC + TLS with the same codec settings, then {@link StoqHandshake.Client} through
 * {@link ClientHandshakeHandler} on the first stream (ML-KEM-1024, mutual FALCON-1024, bound to
 * the server's TLS certificate), then {@link RequestExchange} with the negotiated {@link
 * StoqSession} (payloads sealed when the handshake says so). Only the sharing differs: many QUIC
 * connections per UDP socket and all sockets on a small event-loop group. It lives in STOQ's
 * package (a split package in the bench jar, like SealBenchmark) because those classes are
 * package-private.
 */
public final class HoldClients implements AutoCloseable {

  private final InetSocketAddress server;
  private final StoqSettings settings;
  /** Null: QUIC + TLS + framing only (the server must run without an identity too). */
  private final StoqIdentity identity;
  private final String serverName;
  private final int perSocket;
  private final QuicSslContext ssl;
  private final EventLoopGroup group;
  private final List<Channel> sockets = new ArrayList<>();
  private final QuicChannel[] quics;
  private final StoqSession[] sessions;
  private final AtomicLong correlationIds = new AtomicLong();

  /**
   * @param capacity the most connections {@link #connect} will be asked for (indices 0..capacity-1)
   * @param threads event-loop threads shared by all sockets
   * @param perSocket QUIC connections per client UDP socket
   */
  public HoldClients(InetSocketAddress server, StoqSettings settings, StoqTls tls,
      StoqIdentity identity, String serverName, int capacity, int threads, int perSocket) {
    this.server = server;
    this.settings = settings;
    this.identity = identity;
    this.serverName = serverName;
    this.perSocket = perSocket;
    this.ssl = tls.clientContext();
    this.quics = new QuicChannel[capacity];
    this.sessions = new StoqSession[capacity];
    this.group = new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory("hold-client", true), NioIoHandler.newFactory());
  }

  private synchronized Channel socket(int index) throws InterruptedException {
    int s = index / perSocket;
    while (sockets.size() <= s) {
      // The codec StoqClient builds, engine provider included (it gives the engine the peer name).
      ChannelHandler codec = new QuicClientCodecBuilder()
          .sslEngineProvider(q -> ssl.newEngine(q.alloc(), serverName, server.getPort()))
          .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .initialMaxData(settings.initialMaxData())
          .initialMaxStreamDataBidirectionalLocal(settings.initialMaxStreamData())
          .initialMaxStreamsBidirectional(0)
          .initialMaxStreamsUnidirectional(0)
          .build();
      sockets.add(new Bootstrap()
          .group(group)
          .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
          .option(ChannelOption.SO_RCVBUF, StoqServer.SOCKET_BUFFER_BYTES)
          .option(ChannelOption.SO_SNDBUF, StoqServer.SOCKET_BUFFER_BYTES)
          .handler(codec)
          .bind(new InetSocketAddress(StoqSettings.ipv6("::"), 0))
          .sync()
          .channel());
    }
    return sockets.get(s);
  }

  /**
   * Connects connection {@code index}: completes when QUIC, TLS and (with an identity) the STOQ
   * handshake including the server's key confirmation are done, or fails with the reason, or with
   * TIMEOUT after the settings' handshake timeout.
   */
  public CompletionStage<Void> connect(int index) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Channel socket;
    try {
      socket = socket(index);
    } catch (Exception e) {
      done.completeExceptionally(e);
      return done;
    }
    io.netty.util.concurrent.Future<QuicChannel> quicConnect = QuicChannel.newBootstrap(socket)
        .handler(new ConnectionEvents(done))
        .streamHandler(RejectServerStreams.INSTANCE)
        .remoteAddress(server)
        .connect();
    var deadline = socket.eventLoop().schedule(() -> {
      if (done.completeExceptionally(new StoqException(StoqError.TIMEOUT,
          "no QUIC/STOQ handshake within " + settings.handshakeTimeout().toMillis() + " ms"))) {
        QuicChannel quic = quicConnect.getNow();
        if (quic != null) {
          quic.close();
        }
      }
    }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    done.whenComplete((v, e) -> deadline.cancel(false));
    quicConnect.addListener(f -> {
      if (!f.isSuccess()) {
        done.completeExceptionally(f.cause());
        return;
      }
      QuicChannel quic = (QuicChannel) f.getNow();
      quics[index] = quic;
      if (identity == null) {
        done.complete(null);
      } else {
        startHandshake(index, quic, done);
      }
    });
    return done;
  }

  /** As {@link StoqClient}: the handshake on the first stream, bound to the TLS certificate. */
  private void startHandshake(int index, QuicChannel quic, CompletableFuture<Void> done) {
    byte[] binding;
    try {
      binding = StoqHandshake.tlsBinding(
          (X509Certificate) quic.sslEngine().getSession().getPeerCertificates()[0]);
    } catch (Exception e) {
      done.completeExceptionally(new StoqException(StoqError.HANDSHAKE_FAILED,
          "no TLS server certificate to bind the handshake to"));
      quic.close();
      return;
    }
    StoqHandshake.Client handshake = new StoqHandshake.Client(
        identity, serverName, settings.payloadProtection(), binding);
    ClientHandshakeHandler handler = new ClientHandshakeHandler(handshake,
        session -> {
          sessions[index] = session;
          done.complete(null);
        },
        failure -> {
          done.completeExceptionally(failure);
          ServerConnection.close(quic, failure.error(), failure.getMessage());
        });
    quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
      @Override
      protected void initChannel(QuicStreamChannel ch) {
        ch.pipeline().addLast(
            new FrameDecoder(FrameCodec.MIN_FRAME_BYTES + HandshakeMessage.MAX_MESSAGE_BYTES, true),
            handler);
      }
    }).addListener(f -> {
      if (!f.isSuccess()) {
        done.completeExceptionally(new StoqException(StoqError.UNAVAILABLE,
            "cannot open the handshake stream: " + f.cause()));
      }
    });
  }

  /** Whether the connected connection {@code index} negotiated sealed payloads. */
  public boolean payloadProtected(int index) {
    StoqSession session = sessions[index];
    return session != null && session.payloadProtection();
  }

  /** Whether connection {@code index} is still up. */
  public boolean isActive(int index) {
    QuicChannel quic = quics[index];
    return quic != null && quic.isActive();
  }

  /**
   * One REQUEST on a new stream of connection {@code index} (connected before), exactly as
   * StoqClient sends it; completes with the RESPONSE payload.
   */
  public CompletionStage<byte[]> request(int index, byte[] payload) {
    QuicChannel quic = quics[index];
    RequestExchange exchange = new RequestExchange(correlationIds.incrementAndGet(), payload,
        settings.maxFrameBytes(), sessions[index], false);
    quic.eventLoop().execute(() -> {
      exchange.startTimer(quic.eventLoop(), settings.requestTimeout());
      if (!quic.isActive() || quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) == 0) {
        // The hold bench has one request per connection in flight at most; no credit is an error.
        exchange.fail(new StoqException(StoqError.UNAVAILABLE, "connection gone or no stream credit"));
        return;
      }
      quic.createStream(QuicStreamType.BIDIRECTIONAL, exchange.streamHandlers()).addListener(f -> {
        if (!f.isSuccess()) {
          exchange.fail(new StoqException(StoqError.UNAVAILABLE, "cannot open a stream: " + f.cause()));
        }
      });
    });
    return exchange.result;
  }

  @Override
  public void close() {
    for (QuicChannel quic : quics) {
      if (quic != null && quic.isOpen()) {
        quic.eventLoop().execute(() -> quic.close());
      }
    }
    List<Channel> all;
    synchronized (this) {
      all = new ArrayList<>(sockets);
    }
    for (Channel socket : all) {
      socket.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
  }

  /** Fails a pending connect when the connection ends before it is done. */
  private static final class ConnectionEvents extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Void> done;

    ConnectionEvents(CompletableFuture<Void> done) {
      this.done = done;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      done.completeExceptionally(new StoqException(StoqError.UNAVAILABLE,
          "connection closed during the handshake"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Counted through the connect result or the request results.
    }
  }

  @ChannelHandler.Sharable
  private static final class RejectServerStreams extends ChannelInboundHandlerAdapter {
    static final RejectServerStreams INSTANCE = new RejectServerStreams();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
