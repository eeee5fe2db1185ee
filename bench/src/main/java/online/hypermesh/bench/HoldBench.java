package online.hypermesh.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import online.hypermesh.protocol.stoq.Frame;
import online.hypermesh.protocol.stoq.FrameCodec;
import online.hypermesh.protocol.stoq.FrameType;
import online.hypermesh.protocol.stoq.StoqProtocol;
import online.hypermesh.protocol.stoq.StoqSettings;

/**
 * {@code --hold N}: N concurrent STOQ connections (QUIC, ALPN stoq/1, STOQ frames) to one
 * StoqServer in this JVM. StoqClient has one UDP socket and one thread per connection, which
 * cannot reach 100,000 connections on 2 cores and 20,000 file descriptors, so the client side here
 * is a lean multiplexing STOQ client: many QUIC connections per UDP socket, all on one event-loop
 * thread, speaking the same wire format (FrameCodec REQUEST, one stream per request).
 */
final class HoldBench {

  /** QUIC connections sharing one client UDP socket. */
  static final int CONNECTIONS_PER_SOCKET = 1000;

  private HoldBench() {}

  static Results.HoldReport run(Results.Machine machine, int n, int concurrency, int rate,
      double seconds, int payloadBytes) throws Exception {
    // Held connections are idle while the others connect: a longer idle timeout than STOQ's 30 s.
    StoqSettings settings = StoqAdapter.loopbackSettings(Duration.ofMinutes(10));
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("connections", n);
    parameters.put("handshakeConcurrency", concurrency);
    parameters.put("latencyRatePerSecond", rate);
    parameters.put("latencySeconds", seconds);
    parameters.put("latencyPayloadBytes", payloadBytes);
    parameters.put("idleTimeoutSeconds", settings.idleTimeout().toSeconds());
    parameters.put("keyExchangeGroups", BenchTls.supportedGroups());
    parameters.put("setup", "StoqServer WITHOUT the STOQ post-quantum handshake (QUIC + TLS 1.3 X25519MLKEM768 and "
        + "STOQ framing only) and a multiplexing client in one JVM, "
        + CONNECTIONS_PER_SOCKET + " QUIC connections per client UDP socket, 1 client event-loop thread");

    // The multiplexing hold client speaks the frame format directly and does not run the FALCON/ML-KEM handshake.
    try (StoqBench server = new StoqBench(settings, false)) {
      // Warm-up: a few connections so TLS and JIT are not charged to the measurement.
      Memory.gc();
      try (Pool warm = new Pool(settings, server.port())) {
        warm.connectAll(Math.min(50, n), concurrency, 30_000);
      }
      Thread.sleep(200);
      Results.Memory before = Memory.measure();
      try (Pool pool = new Pool(settings, server.port())) {
        long t0 = System.nanoTime();
        int connected = pool.connectAll(n, concurrency, Math.max(60_000L, n * 5L));
        long handshakeNanos = System.nanoTime() - t0;
        Results.Memory after = Memory.measure();
        int failed = n - connected;
        Results.Latency latency = null;
        String error = connected < n ? (n - connected) + " connections failed: " + pool.firstError : null;
        if (connected > 0) {
          byte[] payload = new byte[payloadBytes];
          latency = OpenLoop.run("hold", i -> pool.request((int) (i % connected), payload),
              rate, seconds, payloadBytes, 2000);
        }
        double per = Math.max(1, connected);
        return new Results.HoldReport(machine, parameters, n, connected, failed,
            server.activeConnections(),
            Results.round(handshakeNanos / 1e9, 3),
            Results.round(connected / (handshakeNanos / 1e9), 1),
            before, after,
            Results.round((after.heapBytes() - before.heapBytes()) / per, 0),
            Results.round((after.directBytes() - before.directBytes()) / per, 0),
            Results.round((after.rssBytes() - before.rssBytes()) / per, 0),
            latency, error);
      }
    }
  }

  /** Client-side QUIC connections over a few shared UDP sockets on one event loop. */
  static final class Pool implements AutoCloseable {
    private final StoqSettings settings;
    private final InetSocketAddress server;
    private final EventLoopGroup group;
    private final QuicSslContext ssl;
    private final List<Channel> sockets = new ArrayList<>();
    private final List<QuicChannel> held = new ArrayList<>();
    private volatile QuicChannel[] ready = new QuicChannel[0];
    private final AtomicInteger correlation = new AtomicInteger();
    volatile String firstError;

    Pool(StoqSettings settings, int port) {
      this.settings = settings;
      this.server = new InetSocketAddress(Bench.LOOPBACK, port);
      this.group = new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("hold-client", true), NioIoHandler.newFactory());
      this.ssl = BenchTls.quicClient(StoqProtocol.ALPN);
    }

    private Channel socket(int index) throws InterruptedException {
      int s = index / CONNECTIONS_PER_SOCKET;
      while (sockets.size() <= s) {
        ChannelHandler codec = new QuicClientCodecBuilder()
            .sslContext(ssl)
            .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .initialMaxData(settings.initialMaxData())
            .initialMaxStreamDataBidirectionalLocal(settings.initialMaxStreamData())
            .initialMaxStreamsBidirectional(0)
            .initialMaxStreamsUnidirectional(0)
            .build();
        sockets.add(new Bootstrap()
            .group(group)
            .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
            .option(ChannelOption.SO_RCVBUF, UdpBench.SOCKET_BUFFER_BYTES)
            .option(ChannelOption.SO_SNDBUF, UdpBench.SOCKET_BUFFER_BYTES)
            .handler(codec)
            .bind(new InetSocketAddress(Bench.LOOPBACK, 0))
            .sync()
            .channel());
      }
      return sockets.get(s);
    }

    /** Connects n connections, at most {@code concurrency} handshakes at once; returns how many made it. */
    int connectAll(int n, int concurrency, long timeoutMillis) throws InterruptedException {
      Semaphore permits = new Semaphore(concurrency);
      AtomicInteger ok = new AtomicInteger();
      long deadline = System.currentTimeMillis() + timeoutMillis;
      for (int i = 0; i < n; i++) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0 || !permits.tryAcquire(left, TimeUnit.MILLISECONDS)) {
          break;
        }
        QuicChannel.newBootstrap(socket(i))
            .handler(Noop.INSTANCE)
            .streamHandler(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                ctx.close(); // STOQ servers never open streams
              }
            })
            .remoteAddress(server)
            .connect()
            .addListener(f -> {
              if (f.isSuccess()) {
                synchronized (held) {
                  held.add((QuicChannel) f.getNow());
                }
                ok.incrementAndGet();
              } else if (firstError == null) {
                firstError = String.valueOf(f.cause());
              }
              permits.release();
            });
      }
      long left = deadline - System.currentTimeMillis();
      if (left > 0) {
        permits.tryAcquire(concurrency, left, TimeUnit.MILLISECONDS);
      }
      synchronized (held) {
        ready = held.toArray(QuicChannel[]::new);
      }
      return ok.get();
    }

    /** One STOQ REQUEST on a new stream of connection {@code index}; completes on its RESPONSE. */
    CompletableFuture<Void> request(int index, byte[] payload) {
      CompletableFuture<Void> result = new CompletableFuture<>();
      QuicChannel quic = ready[index];
      long id = correlation.incrementAndGet();
      int max = settings.maxFrameBytes();
      quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter() {
        ByteBuf cumulation;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          Frame request = Frame.request(id, Unpooled.wrappedBuffer(payload));
          try {
            ctx.writeAndFlush(new DefaultQuicStreamFrame(FrameCodec.encode(ctx.alloc(), request, max), true));
          } finally {
            request.release();
          }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ByteBuf in = (ByteBuf) msg;
          if (cumulation == null) {
            cumulation = ByteBufAllocator.DEFAULT.heapBuffer();
          }
          cumulation.writeBytes(in);
          ReferenceCountUtil.release(in);
          try {
            Frame frame = FrameCodec.decode(cumulation, max);
            if (frame != null) {
              boolean ok = frame.type() == FrameType.RESPONSE && frame.correlationId() == id;
              frame.release();
              if (ok) {
                result.complete(null);
              } else {
                result.completeExceptionally(new IllegalStateException("unexpected " + frame.type()));
              }
              ctx.close();
            }
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
            ctx.close();
          }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          if (cumulation != null) {
            cumulation.release();
            cumulation = null;
          }
          result.completeExceptionally(new IllegalStateException("stream closed early"));
        }
      }).addListener(f -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.cause());
        }
      });
      return result;
    }

    @Override
    public void close() {
      synchronized (held) {
        for (QuicChannel q : held) {
          q.close();
        }
      }
      for (Channel s : sockets) {
        s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  /** Heap (after GC), JDK direct buffers, Netty's direct counter, and the process RSS. */
  static final class Memory {
    private Memory() {}

    static void gc() throws InterruptedException {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(100);
      }
    }

    static Results.Memory measure() throws InterruptedException {
      gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long direct = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        if (pool.getName().equals("direct")) {
          direct = pool.getMemoryUsed();
        }
      }
      long netty = PlatformDependent.usedDirectMemory();
      return new Results.Memory(heap, direct + Math.max(0, netty), netty, rss());
    }

    static long rss() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (Exception e) {
        // not Linux
      }
      return -1;
    }
  }
}
