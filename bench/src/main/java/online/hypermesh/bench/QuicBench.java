package online.hypermesh.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import online.hypermesh.protocol.stoq.StoqSettings;

/**
 * The baseline: plain Netty QUIC with STOQ's settings (windows, stream limit, idle timeout, 4 MiB
 * socket buffers, one NIO event-loop thread for the server and one per client connection, same
 * certificate kind and key-exchange groups), but no framing and no request handler: the server
 * sinks (bulk) or echoes (latency) raw stream bytes.
 */
final class QuicBench implements AutoCloseable {

  static final String ALPN = "bench/1";
  private static final int CHUNK = 64 * 1024;

  /** Like STOQ: no Retry round trip (tokens never written, none validated). */
  private static final QuicTokenHandler NO_RETRY = new QuicTokenHandler() {
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
  };

  private final StoqSettings settings;
  private final boolean echo;
  private final EventLoopGroup serverGroup;
  private final Channel serverChannel;
  private final AtomicLong received = new AtomicLong();
  private final List<Client> clients = new ArrayList<>();

  /** Starts a server on [::1]:0 that sinks ({@code echo=false}) or echoes stream bytes. */
  QuicBench(StoqSettings settings, boolean echo) throws InterruptedException {
    this.settings = settings;
    this.echo = echo;
    serverGroup = new MultiThreadIoEventLoopGroup(
        1, new DefaultThreadFactory("quic-server"), NioIoHandler.newFactory());
    ChannelHandler codec = new QuicServerCodecBuilder()
        .sslContext(BenchTls.quicServer(ALPN))
        .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .initialMaxData(settings.initialMaxData())
        .initialMaxStreamDataBidirectionalRemote(settings.initialMaxStreamData())
        .initialMaxStreamDataBidirectionalLocal(settings.initialMaxStreamData())
        .initialMaxStreamsBidirectional(settings.maxBidiStreams())
        .initialMaxStreamsUnidirectional(0)
        .tokenHandler(NO_RETRY)
        .handler(Noop.INSTANCE)
        .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
          @Override
          protected void initChannel(QuicStreamChannel ch) {
            ch.pipeline().addLast(new ServerStream());
          }
        })
        .build();
    serverChannel = new Bootstrap()
        .group(serverGroup)
        .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
        .option(ChannelOption.SO_RCVBUF, UdpBench.SOCKET_BUFFER_BYTES)
        .option(ChannelOption.SO_SNDBUF, UdpBench.SOCKET_BUFFER_BYTES)
        .handler(codec)
        .bind(new InetSocketAddress(Bench.LOOPBACK, 0))
        .sync()
        .channel();
  }

  private final class ServerStream extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (echo) {
        ctx.writeAndFlush(msg);
      } else {
        received.addAndGet(((ByteBuf) msg).readableBytes());
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        // Like STOQ: FIN our side once the peer's is done, then release the stream.
        ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true))
            .addListener(ChannelFutureListener.CLOSE);
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** One client connection with its own UDP socket and event-loop thread (like StoqClient). */
  final class Client implements AutoCloseable {
    final EventLoopGroup group;
    final Channel datagram;
    final QuicChannel quic;

    Client() throws Exception {
      group = new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("quic-client", true), NioIoHandler.newFactory());
      ChannelHandler codec = new QuicClientCodecBuilder()
          .sslContext(BenchTls.quicClient(ALPN))
          .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .initialMaxData(settings.initialMaxData())
          .initialMaxStreamDataBidirectionalLocal(settings.initialMaxStreamData())
          .initialMaxStreamsBidirectional(0)
          .initialMaxStreamsUnidirectional(0)
          .build();
      datagram = new Bootstrap()
          .group(group)
          .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
          .option(ChannelOption.SO_RCVBUF, UdpBench.SOCKET_BUFFER_BYTES)
          .option(ChannelOption.SO_SNDBUF, UdpBench.SOCKET_BUFFER_BYTES)
          .handler(codec)
          .bind(new InetSocketAddress(Bench.LOOPBACK, 0))
          .sync()
          .channel();
      quic = QuicChannel.newBootstrap(datagram)
          .handler(Noop.INSTANCE)
          .streamHandler(Noop.INSTANCE)
          .remoteAddress(serverChannel.localAddress())
          .connect()
          .get(10, TimeUnit.SECONDS);
    }

    /** Echo of {@code payload} on a new stream (FIN after the request). */
    CompletableFuture<Void> echo(byte[] payload) {
      CompletableFuture<Void> result = new CompletableFuture<>();
      quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter() {
        int got;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          ByteBuf buf = ctx.alloc().ioBuffer(payload.length).writeBytes(payload);
          ctx.writeAndFlush(new DefaultQuicStreamFrame(buf, true));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          got += ((ByteBuf) msg).readableBytes();
          ReferenceCountUtil.release(msg);
          // Complete on the echo; the stream closes by itself on the server's FIN, which
          // returns the stream credit (closing early here would leak it on the server).
          if (got >= payload.length) {
            result.complete(null);
          }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          result.completeExceptionally(new IllegalStateException("stream closed early"));
        }
      }).addListener(f -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.cause());
        }
      });
      return result;
    }

    /** Opens one stream and keeps it full with 64 KiB writes until {@code stop}. */
    void blast(AtomicBoolean stop) {
      ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK).writeZero(CHUNK);
      quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          fill(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
          fill(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          chunk.release();
        }

        private void fill(ChannelHandlerContext ctx) {
          int bounded = 0;
          while (!stop.get() && ctx.channel().isWritable() && bounded++ < 1024) {
            ctx.write(chunk.retainedDuplicate());
          }
          ctx.flush();
          if (stop.get()) {
            ctx.close();
          } else if (ctx.channel().isWritable()) {
            ctx.channel().eventLoop().execute(() -> fill(ctx));
          }
        }
      });
    }

    @Override
    public void close() {
      quic.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
      datagram.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }

  Client connect() throws Exception {
    Client c = new Client();
    clients.add(c);
    return c;
  }

  /** C connections, {@code streams} streams each, bytes counted by the server. */
  Results.Throughput bulk(int connections, double seconds, int streams) throws Exception {
    List<Client> cs = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      cs.add(connect());
    }
    AtomicBoolean stop = new AtomicBoolean();
    for (Client c : cs) {
      for (int i = 0; i < streams; i++) {
        c.blast(stop);
      }
    }
    Bench.warmUp(received);
    long b0 = received.get();
    long t0 = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    long bytes = received.get() - b0;
    long elapsed = System.nanoTime() - t0;
    stop.set(true);
    for (Client c : cs) {
      c.close();
      clients.remove(c);
    }
    return Results.Throughput.of(connections, elapsed, bytes, streams + " concurrent streams per connection (as STOQ's pipeline), 64 KiB writes");
  }

  /** Open-loop echoes of {@code payloadBytes}, each on a new stream of one connection. */
  Results.Latency latency(int rate, double seconds, int payloadBytes) throws Exception {
    try (Client c = connect()) {
      byte[] payload = new byte[payloadBytes];
      return OpenLoop.run("quic", i -> c.echo(payload), rate, seconds, payloadBytes, 1000);
    } finally {
      clients.clear();
    }
  }

  @Override
  public void close() {
    for (Client c : new ArrayList<>(clients)) {
      c.close();
    }
    serverChannel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
