package online.hypermesh.protocol.stoq;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Tests: a bare QUIC connection to a STOQ server that lets a test drive (and break) the STOQ
 * handshake by hand, with {@link StoqHandshake.Client} computing the honest messages.
 */
final class RawStoqConnection implements AutoCloseable {

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel udp;
  final QuicChannel quic;
  final CompletableFuture<QuicConnectionCloseEvent> closed = new CompletableFuture<>();
  /** Decoded frames (payload bytes of HANDSHAKE frames, or error codes) from stream 0. */
  final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private QuicStreamChannel handshakeStream;

  RawStoqConnection(int port) throws Exception {
    udp =
        new Bootstrap()
            .group(group)
            .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
            .handler(
                new QuicClientCodecBuilder()
                    .sslContext(StoqTls.defaults().clientContext())
                    .maxIdleTimeout(5, TimeUnit.SECONDS)
                    .initialMaxData(1 << 20)
                    .initialMaxStreamDataBidirectionalLocal(1 << 20)
                    .build())
            .bind(new InetSocketAddress(StoqSettings.ipv6("::"), 0))
            .sync()
            .channel();
    quic =
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
            .connect()
            .get(5, TimeUnit.SECONDS);
  }

  byte[] tlsBinding() throws Exception {
    return StoqHandshake.tlsBinding(
        (X509Certificate) quic.sslEngine().getSession().getPeerCertificates()[0]);
  }

  StoqHandshake.Client honestClient(StoqIdentity identity, String serverName) throws Exception {
    return new StoqHandshake.Client(identity, serverName, true, tlsBinding());
  }

  /** Sends one HANDSHAKE frame with this payload on stream 0 (opened on first use). */
  void sendHandshake(byte[] payload, boolean fin) throws Exception {
    sendRaw(StoqTestSupport.rawFrame(1, FrameType.HANDSHAKE.code(), 0, 0, payload), fin);
  }

  void sendRaw(byte[] bytes, boolean fin) throws Exception {
    if (handshakeStream == null) {
      handshakeStream =
          quic.createStream(
                  QuicStreamType.BIDIRECTIONAL,
                  new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new FrameDecoder(
                                  FrameCodec.MIN_FRAME_BYTES + HandshakeMessage.MAX_MESSAGE_BYTES,
                                  true),
                              new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                  try {
                                    if (msg instanceof Frame frame) {
                                      received.add(ByteBufUtil.getBytes(frame.payload()));
                                    } else {
                                      received.add(msg);
                                    }
                                  } finally {
                                    ReferenceCountUtil.release(msg);
                                  }
                                }
                              });
                    }
                  })
              .get(5, TimeUnit.SECONDS);
    }
    handshakeStream
        .writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(bytes), fin))
        .sync();
  }

  /** The next HANDSHAKE message from the server, parsed. */
  HandshakeMessage next() throws Exception {
    Object message = received.poll(5, TimeUnit.SECONDS);
    if (!(message instanceof byte[] bytes)) {
      throw new AssertionError("expected a handshake message, got " + message
          + " (close: " + closed.getNow(null) + ")");
    }
    return HandshakeMessage.parse(bytes);
  }

  /** Waits for the server's CONNECTION_CLOSE. */
  QuicConnectionCloseEvent awaitClose() throws Exception {
    return closed.get(5, TimeUnit.SECONDS);
  }

  static String reason(QuicConnectionCloseEvent close) {
    return new String(close.reason(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    quic.close().await(1, TimeUnit.SECONDS);
    udp.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
