package online.hypermesh.protocol.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.BoringSSLContextOption;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.FlushStrategy;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import online.hypermesh.protocol.stoq.StoqProtocol;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A DNS over QUIC client (RFC 9250) for the CLI, the benchmark and tests: one QUIC connection, one
 * stream per query. The server's TLS certificate is not verified (like kdig's default opportunistic
 * mode): in development it is ephemeral; a client that needs to trust the answer checks the node's
 * TLSA record against TrustChain, or uses {@code stoq/1}, whose handshake authenticates the node.
 */
public final class DoqClient implements AutoCloseable {

  /**
   * Queries on the wire at once per connection; more wait in a queue. Thousands of open streams make
   * every packet costlier for quiche and Netty on both sides, and past the server's capacity the
   * connection then collapses instead of queueing.
   */
  public static final int MAX_IN_FLIGHT = 256;

  private final EventLoopGroup group;
  private final Channel datagram;
  private final QuicChannel quic;
  private final Duration timeout;
  private final java.util.Queue<Waiting> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled = new java.util.concurrent.atomic.AtomicBoolean();
  /** Streams open now; only touched on the event loop. */
  private int inFlight;

  private DoqClient(EventLoopGroup group, Channel datagram, QuicChannel quic, Duration timeout) {
    this.group = group;
    this.datagram = datagram;
    this.quic = quic;
    this.timeout = timeout;
  }

  /** Connects (blocking up to {@code timeout}); throws IOException when the node cannot be reached. */
  public static DoqClient connect(InetAddress host, int port, Duration timeout) throws IOException {
    QuicSslContext ssl = sslContext();
    ChannelHandler codec = new QuicClientCodecBuilder()
        .sslContext(ssl)
        // Queries are written from outside the socket's read loop; with the default strategy their
        // datagrams would wait for ~27 KB of company (or a timer) before being flushed.
        .flushStrategy(FlushStrategy.afterNumPackets(1))
        // Acknowledge answers at once: the server's congestion window waits for our ACKs, and with
        // many small answers in flight a delayed ACK (25 ms by default) stalls it.
        .maxAckDelay(1, TimeUnit.MILLISECONDS)
        .maxIdleTimeout(Math.max(timeout.toMillis(), 30_000), TimeUnit.MILLISECONDS)
        .initialMaxData(16 * 1024 * 1024)
        .initialMaxStreamDataBidirectionalLocal(128 * 1024)
        .initialMaxStreamsBidirectional(0)
        .initialMaxStreamsUnidirectional(0)
        .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("doq-client", true), NioIoHandler.newFactory());
    try {
      Channel datagram = new Bootstrap().group(group)
          .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
          .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
          .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
          .handler(codec)
          .bind(new InetSocketAddress(InetAddress.getByName("::"), 0)).sync().channel();
      QuicChannel quic = QuicChannel.newBootstrap(datagram)
          .streamHandler(new ChannelInboundHandlerAdapter())
          .remoteAddress(new InetSocketAddress(host, port))
          .connect().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new DoqClient(group, datagram, quic, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("interrupted while connecting", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IOException("no DoQ connection to [" + host.getHostAddress() + "]:" + port + ": "
          + (e instanceof TimeoutException ? "timed out after " + timeout.toMillis() + " ms" : cause.toString()), cause);
    }
  }

  /**
   * Sends one DNS message (its id must be 0, RFC 9250) on a new stream; completes with the answer's
   * bytes, or fails when the stream or connection ends without one or the timeout passes.
   */
  public CompletableFuture<byte[]> query(byte[] message) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    waiting.add(new Waiting(message, answer));
    if (quic.eventLoop().inEventLoop()) {
      drain();
    } else if (drainScheduled.compareAndSet(false, true)) {
      // From other threads: wake the event loop once per batch rather than once per query.
      quic.eventLoop().execute(() -> {
        drainScheduled.set(false);
        drain();
      });
    }
    return answer;
  }

  /** On the event loop: opens streams for waiting queries while fewer than MAX_IN_FLIGHT are open. */
  private void drain() {
    Waiting next;
    while (inFlight < MAX_IN_FLIGHT && (next = waiting.poll()) != null) {
      if (next.answer().isDone()) {
        continue;
      }
      inFlight++;
      CompletableFuture<byte[]> answer = next.answer();
      quic.createStream(QuicStreamType.BIDIRECTIONAL, new Exchange(next.message(), answer, timeout)).addListener(f -> {
        if (!f.isSuccess()) {
          answer.completeExceptionally(new IOException("cannot open a stream: " + f.cause(), f.cause()));
          done();
        } else {
          ((QuicStreamChannel) f.getNow()).closeFuture().addListener(c -> done());
        }
      });
    }
  }

  private void done() {
    inFlight--;
    drain();
  }

  private record Waiting(byte[] message, CompletableFuture<byte[]> answer) {
  }

  public boolean isOpen() {
    return quic.isActive();
  }

  @Override
  public void close() {
    quic.close(true, DoqService.DOQ_NO_ERROR, io.netty.buffer.Unpooled.EMPTY_BUFFER).awaitUninterruptibly(1, TimeUnit.SECONDS);
    datagram.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private static QuicSslContext sslContext() {
    try {
      return base().option(BoringSSLContextOption.GROUPS,
          new String[] {StoqProtocol.GROUP_X25519_MLKEM768, StoqProtocol.GROUP_X25519}).build();
    } catch (RuntimeException e) {
      return base().build(); // a BoringSSL without the hybrid group: its defaults
    }
  }

  private static QuicSslContextBuilder base() {
    return QuicSslContextBuilder.forClient()
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocols(DoqService.ALPN);
  }

  /** Sends the query when the stream is up, then collects the answer until the server's FIN. */
  private static final class Exchange extends ChannelInboundHandlerAdapter {
    private final byte[] query;
    private final CompletableFuture<byte[]> answer;
    private final Duration timeout;
    private ByteBuf received;
    private io.netty.util.concurrent.ScheduledFuture<?> timer;

    Exchange(byte[] query, CompletableFuture<byte[]> answer, Duration timeout) {
      this.query = query;
      this.answer = answer;
      this.timeout = timeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      timer = ctx.executor().schedule(() -> {
        if (answer.completeExceptionally(new TimeoutException("no DoQ answer within " + timeout.toMillis() + " ms"))) {
          ctx.close();
        }
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
      ByteBuf out = ctx.alloc().buffer(2 + query.length).writeShort(query.length).writeBytes(query);
      // FIN with the query (RFC 9250: one query per stream).
      ctx.writeAndFlush(new DefaultQuicStreamFrame(out, true));
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf data) {
        if (received == null) {
          received = ctx.alloc().buffer(Math.max(64, data.readableBytes()));
        }
        if (received.readableBytes() + data.readableBytes() > 2 + 65_535) {
          answer.completeExceptionally(new IOException("DoQ answer longer than one message"));
          ctx.close();
        } else {
          received.writeBytes(data);
        }
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        finish();
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (timer != null) {
        timer.cancel(false);
      }
      finish();
      if (received != null) {
        received.release();
        received = null;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      answer.completeExceptionally(new IOException("DoQ stream failed: " + cause, cause));
      ctx.close();
    }

    private void finish() {
      if (answer.isDone()) {
        return;
      }
      if (received == null || received.readableBytes() < 2
          || received.getUnsignedShort(received.readerIndex()) != received.readableBytes() - 2) {
        answer.completeExceptionally(new IOException("DoQ stream ended without one whole answer"));
        return;
      }
      byte[] bytes = new byte[received.readableBytes() - 2];
      received.getBytes(received.readerIndex() + 2, bytes);
      answer.complete(bytes);
    }
  }
}
