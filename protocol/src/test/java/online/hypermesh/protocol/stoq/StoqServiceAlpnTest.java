package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SERVER_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.eventually;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.BoringSSLContextOption;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Services beside stoq/1 on the same UDP port, chosen by ALPN, on real QUIC connections. */
class StoqServiceAlpnTest {

  private static final String ECHO_ALPN = "test-echo";

  /** Short, so a service connection held past it shows it is not subject to it. */
  private static final StoqSettings QUICK_HANDSHAKE =
      SETTINGS.withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(1000));

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  /** Echoes every stream's bytes, then ends the stream when the peer has ended its side. */
  static final class EchoService implements QuicService {
    final AtomicInteger streams = new AtomicInteger();

    @Override
    public String alpn() {
      return ECHO_ALPN;
    }

    @Override
    public void initStream(QuicStreamChannel stream) {
      streams.incrementAndGet();
      stream.pipeline().addLast(
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ctx.write(msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
              ctx.flush();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
              if (evt instanceof ChannelInputShutdownEvent) {
                // FIN after everything echoed (shutdownOutput() would not wait for it).
                ctx.writeAndFlush(QuicStreamFrame.EMPTY_FIN);
              }
              ReferenceCountUtil.release(evt);
            }
          });
    }
  }

  static QuicService named(String alpn) {
    return new QuicService() {
      @Override
      public String alpn() {
        return alpn;
      }

      @Override
      public void initStream(QuicStreamChannel stream) {
        stream.close();
      }
    };
  }

  /** A plain QUIC client with one ALPN and only the classical X25519 group, as kdig offers. */
  static final class PlainClient implements AutoCloseable {
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel udp;
    final CompletableFuture<QuicConnectionCloseEvent> closed = new CompletableFuture<>();
    final io.netty.util.concurrent.Future<QuicChannel> connect;

    PlainClient(int port, String alpn) throws Exception {
      udp =
          new Bootstrap()
              .group(group)
              .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
              .handler(
                  new QuicClientCodecBuilder()
                      .sslContext(
                          QuicSslContextBuilder.forClient()
                              .trustManager(InsecureTrustManagerFactory.INSTANCE)
                              .endpointIdentificationAlgorithm(null)
                              .applicationProtocols(alpn)
                              .option(
                                  BoringSSLContextOption.GROUPS,
                                  new String[] {StoqProtocol.GROUP_X25519})
                              .build())
                      .maxIdleTimeout(30, TimeUnit.SECONDS)
                      .initialMaxData(1 << 20)
                      .initialMaxStreamDataBidirectionalLocal(1 << 20)
                      .build())
              .bind(new InetSocketAddress(StoqSettings.ipv6("::"), 0))
              .sync()
              .channel();
      connect =
          QuicChannel.newBootstrap(udp)
              .handler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                      if (evt instanceof QuicConnectionCloseEvent close) {
                        closed.complete(close);
                      }
                    }
                  })
              .streamHandler(new ChannelInboundHandlerAdapter())
              .remoteAddress(new InetSocketAddress(StoqSettings.ipv6("::1"), port))
              .connect();
    }

    QuicChannel quic() throws Exception {
      return connect.get(5, TimeUnit.SECONDS);
    }

    /** Sends {@code bytes} with FIN on a new stream and returns all the peer sent back. */
    byte[] exchange(byte[] bytes) throws Exception {
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      CompletableFuture<byte[]> done = new CompletableFuture<>();
      QuicStreamChannel stream =
          quic()
              .createStream(
                  QuicStreamType.BIDIRECTIONAL,
                  new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                      ch.config().setAllowHalfClosure(true);
                      ch.pipeline().addLast(
                          new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                              ByteBuf buf = (ByteBuf) msg;
                              try {
                                answer.writeBytes(ByteBufUtil.getBytes(buf));
                              } finally {
                                buf.release();
                              }
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                              if (evt instanceof ChannelInputShutdownEvent) {
                                done.complete(answer.toByteArray());
                              }
                              ReferenceCountUtil.release(evt);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                              done.complete(answer.toByteArray());
                            }
                          });
                    }
                  })
              .get(5, TimeUnit.SECONDS);
      stream.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(bytes), true)).sync();
      return done.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      if (connect.isSuccess()) {
        connect.getNow().close().await(1, TimeUnit.SECONDS);
      }
      udp.close().sync();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void serviceAlpnAndStoqShareThePort() throws Exception {
    EchoService echo = new EchoService();
    try (StoqServer server =
        new StoqServer(QUICK_HANDSHAKE, ECHO, StoqTls.defaults(), SERVER_ID, List.of(echo))) {
      int port = server.start();
      try (PlainClient service = new PlainClient(port, ECHO_ALPN);
          StoqClient stoq =
              StoqClient.connectBlocking(
                  "::1", port, SETTINGS, StoqTls.defaults(), CLIENT_ID, "::1")) {
        assertEquals(ECHO_ALPN, service.quic().sslEngine().getApplicationProtocol());
        // The first stream (id 0, the STOQ handshake stream on a stoq/1 connection) goes to the
        // service too; the bytes are no STOQ frame.
        assertEquals("hello service", text(service.exchange(utf8("hello service"))));
        assertEquals("stoq works", text(stoq.requestBlocking(utf8("stoq works"))));

        // Well past the STOQ handshake timeout: a STOQ connection without a handshake would be
        // closed by now, the service connection is not.
        Thread.sleep(2500);
        assertFalse(service.closed.isDone(), "service connection closed: " + service.closed);
        byte[] big = new byte[2_000_000];
        new java.util.Random(7).nextBytes(big);
        assertTrue(java.util.Arrays.equals(big, service.exchange(big)));
        assertEquals("still", text(stoq.requestBlocking(utf8("still"))));

        assertEquals(2, echo.streams.get());
        assertEquals(1, server.activeConnections(), "only the stoq/1 connection counts");
        assertEquals(1, server.activeServiceConnections());
      }
      eventually("connections counted out",
          () -> server.activeConnections() == 0 && server.activeServiceConnections() == 0);
    }
  }

  @Test
  void stoqConnectionWithoutHandshakeIsStillDroppedBesideAService() throws Exception {
    try (StoqServer server =
        new StoqServer(
            QUICK_HANDSHAKE, ECHO, StoqTls.defaults(), SERVER_ID, List.of(new EchoService()));
        RawStoqConnection raw = new RawStoqConnection(server.start())) {
      QuicConnectionCloseEvent close = raw.awaitClose();
      assertEquals(StoqError.HANDSHAKE_FAILED.code(), close.error());
    }
  }

  @Test
  void unknownAlpnIsRefusedByTls() throws Exception {
    try (StoqServer server =
        new StoqServer(SETTINGS, ECHO, StoqTls.defaults(), SERVER_ID, List.of(new EchoService()));
        PlainClient client = new PlainClient(server.start(), "doq")) {
      QuicConnectionCloseEvent close = client.closed.get(5, TimeUnit.SECONDS);
      assertTrue(close.isTlsError());
      assertEquals(120, QuicConnectionCloseEvent.extractTlsError(close.error()),
          "TLS alert no_application_protocol");
      assertFalse(client.connect.isSuccess());
      assertEquals(0, server.activeConnections());
      assertEquals(0, server.activeServiceConnections());
    }
  }

  @Test
  void duplicateOrInvalidAlpnIdsAreRefused() {
    StoqTls tls = StoqTls.defaults();
    for (List<QuicService> bad :
        List.of(
            List.of(named("doq"), named("doq")),
            List.of(named(StoqProtocol.ALPN)),
            List.of(named("")),
            List.of(named(null)),
            List.of(named("has space")),
            List.of(named("é")),
            List.of(named("x".repeat(256))))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new StoqServer(SETTINGS, ECHO, tls, SERVER_ID, bad),
              () -> "accepted " + bad.stream().map(QuicService::alpn).toList());
      assertFalse(e.getMessage().isBlank());
    }
    new StoqServer(SETTINGS, ECHO, tls, SERVER_ID, List.of(named("doq"), named("x".repeat(255))))
        .close();
  }
}
