package online.hypermesh.protocol.stoq;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamLimitChangedEvent;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STOQ client: one QUIC connection (IPv6 only, ALPN {@code stoq/1}) over which each {@link
 * #request} opens its own bidirectional stream (QUIC streams are cheap, and per-request streams
 * mean no head-of-line blocking between requests).
 *
 * <p><b>Server authentication:</b> with {@link StoqTls#clientTrusting(java.nio.file.Path)} the
 * server certificate must chain to the given PEM certificates and name the dialled address. With
 * {@link StoqTls#defaults()} <em>any</em> server certificate is accepted: that is for development
 * only, since it gives no protection against an active attacker. A later issue replaces this with
 * TrustChain authentication.
 *
 * <p><b>Threads:</b> async methods may be called from any thread (actors: pipe the stage to
 * yourself). Stages complete on the client's event-loop thread, so callbacks attached to them must
 * not block; the {@code *Blocking} methods are for CLIs and tests and refuse to run on that thread.
 * When the server limits concurrent streams, further requests wait for stream credit (the request
 * timeout includes that wait).
 */
public final class StoqClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StoqClient.class);

  private final StoqSettings settings;
  /** Null: development mode (no STOQ handshake). */
  private final StoqIdentity identity;
  private final String expectedServerName;
  private final EventLoopGroup group;
  private final Channel datagramChannel;
  private final EventLoop eventLoop;
  private final AtomicLong correlationIds = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<StoqConnectionClose> closeFuture = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Exchanges waiting for stream credit; event loop only. */
  private final ArrayDeque<ClientExchange<?>> waiting = new ArrayDeque<>();
  /**
   * Runs the blocking reads of uploads' sources, off the event loop: one read at a time per
   * upload, so at most one thread per upload in progress; idle threads go after 10 s.
   */
  private final java.util.concurrent.ThreadPoolExecutor uploadReaders =
      new java.util.concurrent.ThreadPoolExecutor(
          0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
          new DefaultThreadFactory("stoq-upload-reader", true));

  private volatile QuicChannel connection;
  /** Set once the STOQ handshake is done (at once in development mode). */
  private volatile StoqSession session;
  /** The pending connect result until the QUIC and STOQ handshakes are done; event loop only. */
  private CompletableFuture<StoqClient> connecting;
  private io.netty.util.concurrent.ScheduledFuture<?> connectDeadline;
  /** Set on the event loop when the server's CONNECTION_CLOSE arrives. */
  private QuicConnectionCloseEvent peerClose;

  private StoqClient(
      StoqSettings settings,
      StoqIdentity identity,
      String expectedServerName,
      EventLoopGroup group,
      Channel datagramChannel) {
    this.settings = settings;
    this.identity = identity;
    this.expectedServerName = expectedServerName;
    this.group = group;
    this.datagramChannel = datagramChannel;
    this.eventLoop = datagramChannel.eventLoop();
  }

  /**
   * Development mode, see {@link #connect(InetSocketAddress, StoqSettings, StoqTls)}.
   *
   * @deprecated the server is not authenticated by STOQ; use {@link #connect(String, int,
   *     StoqSettings, StoqTls, StoqIdentity, String)}
   */
  @Deprecated
  public static CompletionStage<StoqClient> connect(
      String host, int port, StoqSettings settings, StoqTls tls) {
    return connect(InetSocketAddress.createUnresolved(host, port), settings, tls);
  }

  /**
   * Connects and runs the STOQ handshake: the client authenticates with {@code identity}, and
   * the server's FALCON certificate chain must lead to {@code identity.trustAnchor()}, be valid,
   * not revoked, have role NODE and name {@code expectedServerName} (a DNS name / common name or
   * an IP literal). Completes only after the server confirmed the handshake, so requests never
   * race it. Fails with UNAUTHENTICATED (the reason says which check failed, on either side),
   * HANDSHAKE_FAILED, UNAVAILABLE or TIMEOUT.
   */
  public static CompletionStage<StoqClient> connect(
      String host,
      int port,
      StoqSettings settings,
      StoqTls tls,
      StoqIdentity identity,
      String expectedServerName) {
    return connect(
        InetSocketAddress.createUnresolved(host, port), settings, tls, identity,
        expectedServerName);
  }

  /** {@link #connect(String, int, StoqSettings, StoqTls, StoqIdentity, String)}. */
  public static CompletionStage<StoqClient> connect(
      InetSocketAddress remote,
      StoqSettings settings,
      StoqTls tls,
      StoqIdentity identity,
      String expectedServerName) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(expectedServerName, "expectedServerName");
    return connect(remote, settings, tls, identity, expectedServerName, true);
  }

  /** Blocking {@link #connect(String, int, StoqSettings, StoqTls, StoqIdentity, String)}. */
  public static StoqClient connectBlocking(
      String host,
      int port,
      StoqSettings settings,
      StoqTls tls,
      StoqIdentity identity,
      String expectedServerName) {
    return await(
        connect(host, port, settings, tls, identity, expectedServerName),
        settings.handshakeTimeout());
  }

  /**
   * Development mode: connects and completes once the QUIC/TLS handshake is done, without the
   * STOQ handshake, so the server is not authenticated by STOQ and an authenticating server
   * refuses this client (UNAUTHENTICATED). Fails with UNAVAILABLE (no IPv6 address, refused,
   * handshake failure) or TIMEOUT (no handshake within handshakeTimeout). A host name is resolved
   * on the calling thread.
   *
   * @throws IllegalArgumentException for unusable TLS material (bad PEM file)
   * @deprecated use {@link #connect(InetSocketAddress, StoqSettings, StoqTls, StoqIdentity,
   *     String)}
   */
  @Deprecated
  public static CompletionStage<StoqClient> connect(
      InetSocketAddress remote, StoqSettings settings, StoqTls tls) {
    return connect(remote, settings, tls, null, null, false);
  }

  private static CompletionStage<StoqClient> connect(
      InetSocketAddress remote,
      StoqSettings settings,
      StoqTls tls,
      StoqIdentity identity,
      String expectedServerName,
      boolean authenticated) {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(tls, "tls");
    InetSocketAddress target;
    try {
      target = resolveIpv6(remote);
      Quic.ensureAvailability();
    } catch (StoqException e) {
      return CompletableFuture.failedFuture(e);
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(
          new StoqException(StoqError.UNAVAILABLE, "QUIC is not available: " + t, t));
    }
    QuicSslContext sslContext = tls.clientContext();
    return connect(target, peerName(remote), settings, sslContext,
        authenticated ? identity : null, expectedServerName);
  }

  /** The name the server certificate must match: as dialled (DNS name or IP literal). */
  private static String peerName(InetSocketAddress remote) {
    String host = remote.getHostString();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * Blocking {@link #connect(String, int, StoqSettings, StoqTls)} for CLIs.
   *
   * @deprecated development mode; use {@link #connectBlocking(String, int, StoqSettings, StoqTls,
   *     StoqIdentity, String)}
   */
  @Deprecated
  public static StoqClient connectBlocking(
      String host, int port, StoqSettings settings, StoqTls tls) {
    return await(connect(host, port, settings, tls), settings.handshakeTimeout());
  }

  private static CompletionStage<StoqClient> connect(
      InetSocketAddress target,
      String peerName,
      StoqSettings settings,
      QuicSslContext sslContext,
      StoqIdentity identity,
      String expectedServerName) {
    CompletableFuture<StoqClient> result = new CompletableFuture<>();
    ChannelHandler codec =
        new QuicClientCodecBuilder()
            // Not sslContext(...): that makes engines without a peer name, and then a verifying
            // trust manager has nothing to check the certificate's names against.
            .sslEngineProvider(q -> sslContext.newEngine(q.alloc(), peerName, target.getPort()))
            .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .initialMaxData(settings.initialMaxData())
            // Our receive window on the streams we open (where responses arrive).
            .initialMaxStreamDataBidirectionalLocal(settings.initialMaxStreamData())
            // The server never opens streams in v1.
            .initialMaxStreamsBidirectional(0)
            .initialMaxStreamsUnidirectional(0)
            .build();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("stoq-client", true), NioIoHandler.newFactory());
    new Bootstrap()
        .group(group)
        .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
        .option(ChannelOption.SO_RCVBUF, StoqServer.SOCKET_BUFFER_BYTES)
        .option(ChannelOption.SO_SNDBUF, StoqServer.SOCKET_BUFFER_BYTES)
        .handler(codec)
        .bind(new InetSocketAddress(StoqSettings.ipv6("::"), 0))
        .addListener(
            (ChannelFuture bound) -> {
              if (!bound.isSuccess()) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                result.completeExceptionally(
                    new StoqException(
                        StoqError.UNAVAILABLE,
                        "cannot open a UDP socket: " + bound.cause(),
                        bound.cause()));
                return;
              }
              StoqClient client =
                  new StoqClient(settings, identity, expectedServerName, group, bound.channel());
              client.handshake(target, result);
            });
    return result;
  }

  /** On the event loop: QUIC connect, then the STOQ handshake, with one deadline for both. */
  private void handshake(InetSocketAddress target, CompletableFuture<StoqClient> result) {
    connecting = result;
    Future<QuicChannel> quicConnect =
        QuicChannel.newBootstrap(datagramChannel)
            .handler(new ConnectionHandler())
            .streamHandler(new RejectServerStreams())
            .remoteAddress(target)
            .connect();
    connectDeadline =
        eventLoop.schedule(
            () ->
                connectFailed(
                    new StoqException(
                        StoqError.TIMEOUT,
                        "no QUIC/STOQ handshake with " + target + " within "
                            + settings.handshakeTimeout().toMillis() + " ms"),
                    true),
            settings.handshakeTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    quicConnect.addListener(
        (Future<QuicChannel> f) -> {
          if (!f.isSuccess()) {
            connectFailed(
                new StoqException(
                    StoqError.UNAVAILABLE,
                    "cannot connect to " + target + ": " + f.cause(),
                    f.cause()),
                false);
            return;
          }
          connection = f.getNow();
          if (identity == null) {
            session = StoqSession.unauthenticated(StoqPeer.unauthenticated(target));
            connectDone();
          } else {
            startStoqHandshake(connection);
          }
        });
  }

  private void startStoqHandshake(QuicChannel quic) {
    byte[] binding;
    try {
      java.security.cert.Certificate[] peerCertificates =
          quic.sslEngine().getSession().getPeerCertificates();
      binding =
          StoqHandshake.tlsBinding((java.security.cert.X509Certificate) peerCertificates[0]);
    } catch (Exception e) {
      connectFailed(
          new StoqException(
              StoqError.HANDSHAKE_FAILED, "no TLS server certificate to bind the handshake to"),
          true);
      return;
    }
    StoqHandshake.Client handshake =
        new StoqHandshake.Client(
            identity, expectedServerName, settings.payloadProtection(), binding);
    ClientHandshakeHandler handler =
        new ClientHandshakeHandler(
            handshake,
            established -> {
              session = established;
              connectDone();
            },
            failure -> connectFailed(failure, true));
    quic.createStream(
            QuicStreamType.BIDIRECTIONAL,
            new io.netty.channel.ChannelInitializer<io.netty.handler.codec.quic.QuicStreamChannel>() {
              @Override
              protected void initChannel(io.netty.handler.codec.quic.QuicStreamChannel ch) {
                ch.pipeline()
                    .addLast(
                        new FrameDecoder(
                            FrameCodec.MIN_FRAME_BYTES + HandshakeMessage.MAX_MESSAGE_BYTES, true),
                        handler);
              }
            })
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                connectFailed(
                    new StoqException(
                        StoqError.UNAVAILABLE, "cannot open the handshake stream: " + f.cause()),
                    true);
              }
            });
  }

  /** On the event loop: both handshakes are done. */
  private void connectDone() {
    connectDeadline.cancel(false);
    CompletableFuture<StoqClient> result = connecting;
    connecting = null;
    if (result == null || !result.complete(this)) {
      shutdown();
    }
  }

  /**
   * On the event loop: fails a pending connect. A failure this side detected ({@code closeQuic})
   * is also told to the server as a QUIC application close with the error's code and reason.
   */
  private void connectFailed(StoqException failure, boolean closeQuic) {
    CompletableFuture<StoqClient> result = connecting;
    if (result == null) {
      return;
    }
    connecting = null;
    connectDeadline.cancel(false);
    StoqException reported = failure;
    QuicConnectionCloseEvent close = peerClose;
    if (close != null) {
      // The server closed first: its code and reason say more than our side's symptom.
      reported = fromPeerClose(close);
    }
    result.completeExceptionally(reported);
    QuicChannel quic = connection;
    if (closeQuic && close == null && quic != null && quic.isActive()) {
      ServerConnection.close(quic, failure.error(), failure.getMessage());
      quic.closeFuture().addListener(f -> shutdown());
      eventLoop.schedule(this::shutdown, 1, TimeUnit.SECONDS);
    } else {
      shutdown();
    }
  }

  /** The exception for a connection the server closed during the handshake. */
  private static StoqException fromPeerClose(QuicConnectionCloseEvent close) {
    String reason = reasonOf(close);
    if (close.isTlsError()) {
      return new StoqException(
          StoqError.UNAVAILABLE,
          "server refused the TLS handshake (alert "
              + QuicConnectionCloseEvent.extractTlsError(close.error()) + ") " + reason);
    }
    if (close.isApplicationClose()) {
      StoqError error = StoqError.fromCode(close.error()).orElse(null);
      if (error != null) {
        return new StoqException(error, "server refused the connection: " + reason);
      }
    }
    return new StoqException(
        StoqError.UNAVAILABLE,
        "server closed the connection during the handshake (code " + close.error() + ") "
            + reason);
  }

  /**
   * Sends one request on a new stream. Completes with the response payload, or fails with {@link
   * StoqException}: the server's ERROR code, TIMEOUT after requestTimeout, UNAVAILABLE when the
   * connection or stream is lost, FRAME_TOO_LARGE when the payload cannot fit a frame.
   *
   * <p>The array is not copied but read later on the event loop: do not modify it until the
   * stage completes.
   */
  public CompletionStage<byte[]> request(byte[] payload) {
    return request(payload, false);
  }

  /** Tests: a request whose sealed payload gets one byte flipped after sealing. */
  CompletionStage<byte[]> requestWithTamperedSeal(byte[] payload) {
    return request(payload, true);
  }

  private CompletionStage<byte[]> request(byte[] payload, boolean tamper) {
    Objects.requireNonNull(payload, "payload");
    StoqSession current = session;
    int overhead = current == null ? 0 : current.overhead();
    if (FrameCodec.encodedSize(payload.length + overhead) > settings.maxFrameBytes()) {
      return CompletableFuture.failedFuture(
          new StoqException(
              StoqError.FRAME_TOO_LARGE,
              "request of " + payload.length + " bytes does not fit a frame of "
                  + settings.maxFrameBytes()));
    }
    return submit(
        new RequestExchange(
            correlationIds.incrementAndGet(), payload, settings.maxFrameBytes(), current, tamper));
  }

  /**
   * Blocking {@link #request} for CLIs and tests; throws the StoqException directly.
   *
   * @throws IllegalStateException on the client's event loop (it would wait for itself)
   */
  public byte[] requestBlocking(byte[] payload) {
    if (eventLoop.inEventLoop()) {
      throw new IllegalStateException("requestBlocking on the STOQ event loop would deadlock");
    }
    return await(request(payload), settings.requestTimeout());
  }

  /**
   * Streams {@code source} to the server on a new stream, as STREAM_DATA frames of at most {@code
   * chunkBytes} payload bytes (sealed like requests when payload protection is on) followed by
   * STREAM_END, and completes with the RESPONSE payload the server's {@link StoqStreamHandler}
   * gives at the end. Any size: the next chunk is read only when the stream can take it (QUIC flow
   * control and the server's handler pace the upload), so neither side buffers the whole source.
   *
   * <p>Fails with {@link StoqException}: the server's ERROR code (STREAM_REFUSED when it takes no
   * uploads), TIMEOUT when no chunk goes out and no answer arrives for requestTimeout,
   * UNAVAILABLE when the connection or stream is lost or the source throws. A failed upload
   * resets its stream; the connection goes on serving.
   *
   * <p>The source is read one chunk at a time on a thread of the client's own (so it may block: a
   * file, a pipe, a socket), never on the event loop, at most one chunk ahead of what the stream
   * can take. It is not closed.
   *
   * @param chunkBytes 1 .. {@link #maxPayloadBytes()}
   * @throws IllegalArgumentException if chunkBytes is out of that range
   */
  public CompletionStage<byte[]> upload(java.io.InputStream source, int chunkBytes) {
    return upload(source, chunkBytes, uploadReaders);
  }

  /**
   * {@link #upload(java.io.InputStream, int)} with the source read on {@code reader} (one read at
   * a time for this upload), e.g. a virtual-thread or I/O executor of the caller's. It must not be
   * the client's event loop; a reader that rejects the task fails the upload with UNAVAILABLE.
   */
  public CompletionStage<byte[]> upload(
      java.io.InputStream source, int chunkBytes, java.util.concurrent.Executor reader) {
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(source, "source");
    if (chunkBytes < 1 || chunkBytes > maxPayloadBytes()) {
      throw new IllegalArgumentException(
          "chunkBytes " + chunkBytes + " is not in 1.." + maxPayloadBytes());
    }
    return submit(
        new UploadExchange(
            correlationIds.incrementAndGet(), source, chunkBytes, settings.maxFrameBytes(),
            session, reader));
  }

  /**
   * Asks for a streamed download: sends {@code request} as one REQUEST (flagged {@link
   * FrameCodec#FLAG_DOWNLOAD}, sealed like any request) on a new stream, and hands the answer's
   * chunks, opened, to {@code consumer} one at a time; completes with the number of bytes received
   * once the server's STREAM_END has arrived and the last chunk was consumed. Any size: while the
   * consumer is busy the client stops reading the stream, so QUIC flow control holds the server
   * back (the server only pulls the next chunk from its {@link StoqDownloadSource} when the stream
   * can take it); nothing buffers the whole download.
   *
   * <p>Cancel with {@code stage.toCompletableFuture().cancel(false)}: the client sends CANCEL, the
   * server stops and releases its source, and what is still in flight is dropped. A failing
   * consumer, a timeout or a lost stream cancel the same way.
   *
   * <p>Fails with {@link StoqException}: the server's ERROR code (STREAM_REFUSED when it offers no
   * downloads), TIMEOUT when neither a chunk arrives nor the consumer finishes one for
   * requestTimeout, UNAVAILABLE when the connection or stream is lost, FRAME_TOO_LARGE when the
   * request does not fit a frame; or with the consumer's own failure.
   *
   * <p>The array is not copied but read later on the event loop: do not modify it until the
   * stage completes.
   */
  public CompletionStage<Long> download(byte[] request, StoqChunkConsumer consumer) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(consumer, "consumer");
    StoqSession current = session;
    int overhead = current == null ? 0 : current.overhead();
    if (FrameCodec.encodedSize(request.length + overhead) > settings.maxFrameBytes()) {
      return CompletableFuture.failedFuture(
          new StoqException(
              StoqError.FRAME_TOO_LARGE,
              "request of " + request.length + " bytes does not fit a frame of "
                  + settings.maxFrameBytes()));
    }
    return submit(
        new DownloadExchange(
            correlationIds.incrementAndGet(), request, consumer, settings.maxFrameBytes(),
            current, settings.requestTimeout()));
  }

  /**
   * Opens a link ({@link StoqLink}) on a new stream: sends {@code open} as the opening payload and
   * completes once the server accepted it (the server's {@link StoqHandler#openLink}); fails with
   * the server's refusal (its code and reason), UNAVAILABLE when the connection is gone, or
   * TIMEOUT after requestTimeout. Call {@link StoqLink#start} to receive its messages. The link
   * ends with the connection; closing the link does not close the connection.
   *
   * @param maxQueuedBytes bound of the link's send queue (see {@link StoqLink})
   */
  public CompletionStage<StoqLink> openLink(byte[] open, long maxQueuedBytes) {
    CompletableFuture<StoqLink> result = new CompletableFuture<>();
    byte[] payload = open.clone();
    try {
      eventLoop.execute(() -> {
        QuicChannel quic = connection;
        StoqSession current = session;
        if (closing.get() || quic == null || !quic.isActive() || current == null) {
          result.completeExceptionally(
              new StoqException(StoqError.UNAVAILABLE, connectionGoneMessage()));
          return;
        }
        LinkHandler link = LinkHandler.client(
            current, settings.maxFrameBytes(), maxQueuedBytes, payload, result);
        var timeout = eventLoop.schedule(
            () -> {
              if (result.completeExceptionally(new StoqException(StoqError.TIMEOUT,
                  "link not accepted within " + settings.requestTimeout().toMillis() + " ms"))) {
                link.close("not accepted in time");
              }
            },
            settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((l, f) -> timeout.cancel(false));
        quic.createStream(
                QuicStreamType.BIDIRECTIONAL,
                new io.netty.channel.ChannelInitializer<
                    io.netty.handler.codec.quic.QuicStreamChannel>() {
                  @Override
                  protected void initChannel(io.netty.handler.codec.quic.QuicStreamChannel ch) {
                    // The server's FIN ends the link; our side is ended by the link itself.
                    ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                    ch.pipeline().addLast(
                        new FrameDecoder(settings.maxFrameBytes(), false, true, true), link);
                  }
                })
            .addListener(f -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(new StoqException(
                    StoqError.UNAVAILABLE, "cannot open a link stream: " + f.cause(), f.cause()));
              }
            });
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new StoqException(StoqError.UNAVAILABLE, "client is closed"));
    }
    return result;
  }

  /**
   * Diagnostics/tests: writes {@code bytes} unframed on a new stream (and ends our side if {@code
   * finish}), then completes with everything the server sent until it ended the stream. Fails
   * with TIMEOUT if the server does not end the stream within requestTimeout.
   */
  public CompletionStage<byte[]> exchangeRaw(byte[] bytes, boolean finish) {
    return submit(new RawExchange(bytes.clone(), finish));
  }

  private <T> CompletionStage<T> submit(ClientExchange<T> exchange) {
    // A caller that cancels the returned future abandons the exchange: CANCEL or a stream reset.
    exchange.result.whenComplete(
        (value, failure) -> {
          if (failure instanceof java.util.concurrent.CancellationException) {
            try {
              eventLoop.execute(exchange::cancelled);
            } catch (RejectedExecutionException closed) {
              // Client closed: its streams are gone anyway.
            }
          }
        });
    try {
      eventLoop.execute(() -> start(exchange));
    } catch (RejectedExecutionException e) {
      exchange.fail(new StoqException(StoqError.UNAVAILABLE, "client is closed"));
    }
    return exchange.result;
  }

  private void start(ClientExchange<?> exchange) {
    QuicChannel quic = connection;
    if (closing.get() || quic == null || !quic.isActive()) {
      exchange.fail(new StoqException(StoqError.UNAVAILABLE, connectionGoneMessage()));
      return;
    }
    exchange.startTimer(eventLoop, settings.requestTimeout());
    waiting.add(exchange);
    openStreams();
  }

  /** Opens streams for waiting exchanges while the server grants stream credit. */
  private void openStreams() {
    QuicChannel quic = connection;
    while (!waiting.isEmpty() && quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0) {
      ClientExchange<?> exchange = waiting.poll();
      if (exchange.isDone()) {
        continue; // timed out while waiting for credit
      }
      quic.createStream(QuicStreamType.BIDIRECTIONAL, exchange.streamHandlers())
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  exchange.fail(
                      new StoqException(
                          StoqError.UNAVAILABLE,
                          "cannot open a stream: " + f.cause(),
                          f.cause()));
                }
              });
    }
  }

  private String connectionGoneMessage() {
    QuicConnectionCloseEvent close = peerClose;
    if (close != null) {
      return "connection closed by server (code " + close.error() + ", " + reasonOf(close) + ")";
    }
    return "connection is closed";
  }

  /**
   * The server as the STOQ handshake authenticated it; {@link StoqPeer#authenticated()} is false
   * in development mode.
   */
  public StoqPeer server() {
    StoqSession current = session;
    return current == null ? null : current.peer();
  }

  /** Whether payloads on this connection are sealed (negotiated in the handshake). */
  public boolean payloadProtected() {
    StoqSession current = session;
    return current != null && current.payloadProtection();
  }

  /** The largest request payload that fits a frame on this connection. */
  public int maxPayloadBytes() {
    StoqSession current = session;
    return settings.maxFrameBytes() - FrameCodec.MIN_FRAME_BYTES
        - (current == null ? 0 : current.overhead());
  }

  /** Whether the connection is up and not closing. */
  public boolean isConnected() {
    QuicChannel quic = connection;
    return !closing.get() && quic != null && quic.isActive();
  }

  /** Completes once the connection has ended, saying how. */
  public CompletionStage<StoqConnectionClose> closeFuture() {
    return closeFuture;
  }

  /** The server's UDP address. */
  public InetSocketAddress remoteAddress() {
    QuicChannel quic = connection;
    return quic == null ? null : (InetSocketAddress) quic.remoteSocketAddress();
  }

  /**
   * Closes the connection (application close code {@link StoqProtocol#CLOSE_NO_ERROR}), fails
   * requests still waiting with UNAVAILABLE and stops the event loop. Idempotent.
   */
  public CompletionStage<Void> closeAsync() {
    if (closing.compareAndSet(false, true)) {
      try {
        eventLoop.execute(this::closeOnLoop);
      } catch (RejectedExecutionException e) {
        closed.complete(null);
      }
    }
    return closed;
  }

  /** Blocking close; from the client's own event loop it only starts closing. */
  @Override
  public void close() {
    CompletionStage<Void> done = closeAsync();
    if (!eventLoop.inEventLoop()) {
      try {
        done.toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.debug("STOQ client close did not finish cleanly: {}", e.toString());
      }
    }
  }

  private void closeOnLoop() {
    failWaiting("client closed");
    QuicChannel quic = connection;
    if (quic != null && quic.isOpen()) {
      quic.close(
              true,
              StoqProtocol.CLOSE_NO_ERROR,
              Unpooled.copiedBuffer("client closing", StandardCharsets.UTF_8))
          .addListener(f -> shutdown());
    } else {
      shutdown();
    }
  }

  /** Closes the socket and the event loop; completes {@link #closed} when they are gone. */
  private void shutdown() {
    closing.set(true);
    uploadReaders.shutdown();
    datagramChannel
        .close()
        .addListener(
            f ->
                group
                    .shutdownGracefully(0, 1, TimeUnit.SECONDS)
                    .addListener(g -> closed.complete(null)));
    closeFuture.complete(new StoqConnectionClose(false, true, StoqProtocol.CLOSE_NO_ERROR,
        "client closed", false));
  }

  private void failWaiting(String why) {
    ClientExchange<?> exchange;
    while ((exchange = waiting.poll()) != null) {
      exchange.fail(new StoqException(StoqError.UNAVAILABLE, why));
    }
  }

  private static InetSocketAddress resolveIpv6(InetSocketAddress remote) {
    if (!remote.isUnresolved()) {
      if (!(remote.getAddress() instanceof Inet6Address)) {
        throw new StoqException(
            StoqError.UNAVAILABLE, "STOQ is IPv6-only; not an IPv6 address: " + remote);
      }
      return remote;
    }
    String host = remote.getHostString();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (address instanceof Inet6Address) {
          return new InetSocketAddress(address, remote.getPort());
        }
      }
    } catch (UnknownHostException e) {
      throw new StoqException(StoqError.UNAVAILABLE, "unknown host " + host, e);
    }
    throw new StoqException(StoqError.UNAVAILABLE, "no IPv6 address for " + host);
  }

  /** The close reason phrase; Netty's accessor throws when the peer sent none. */
  private static String reasonOf(QuicConnectionCloseEvent close) {
    try {
      byte[] reason = close.reason();
      return reason == null ? "" : new String(reason, StandardCharsets.UTF_8);
    } catch (NullPointerException noReason) {
      return "";
    }
  }

  /** Waits for a stage and rethrows its StoqException as is (for CLIs and tests). */
  private static <T> T await(CompletionStage<T> stage, Duration expected) {
    try {
      // The stage has its own timeout; this only guards against a stuck event loop.
      return stage.toCompletableFuture().get(expected.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoqException stoq) {
        throw stoq;
      }
      throw new StoqException(StoqError.INTERNAL, String.valueOf(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new StoqException(StoqError.TIMEOUT, "no result within " + expected, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoqException(StoqError.UNAVAILABLE, "interrupted", e);
    }
  }

  /** QUIC-connection events: stream credit, the server's close, the end of the connection. */
  private final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof QuicStreamLimitChangedEvent) {
        openStreams();
      } else if (evt instanceof QuicConnectionCloseEvent close) {
        peerClose = close;
        connectFailed(fromPeerClose(close), false);
      } else if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
        connectFailed(
            new StoqException(
                StoqError.UNAVAILABLE, "TLS handshake failed: " + handshake.cause()),
            false);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      QuicChannel quic = (QuicChannel) ctx.channel();
      failWaiting(connectionGoneMessage());
      QuicConnectionCloseEvent close = peerClose;
      if (close != null) {
        closeFuture.complete(
            new StoqConnectionClose(
                true,
                close.isApplicationClose(),
                close.error(),
                reasonOf(close),
                false));
      } else if (quic.isTimedOut()) {
        closeFuture.complete(new StoqConnectionClose(false, false, 0, "idle timeout", true));
      }
      // A connection that ended by itself leaves nothing useful: release the socket and thread.
      if (closing.compareAndSet(false, true)) {
        shutdown();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("STOQ client connection error: {}", cause.toString());
    }
  }

  /** v1 servers never open streams; anything they open is closed straight away. */
  @ChannelHandler.Sharable
  private static final class RejectServerStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
