package online.hypermesh.protocol.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Classic DNS for clients that cannot speak QUIC yet (bootstrap Phase 0): UDP and TCP (RFC 7766:
 * 2-byte length prefix, several queries per connection) on one port number, IPv6 sockets.
 *
 * <p>Use: {@code int port = server.start(); ... server.close();}
 */
public final class ClassicDnsServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClassicDnsServer.class);

  private final InetAddress bind;
  private final int port;
  private final DnsResponder responder;
  private final Duration tcpIdleTimeout;
  private EventLoopGroup group;
  private Channel udp;
  private Channel tcp;

  public ClassicDnsServer(InetAddress bind, int port, DnsResponder responder, Duration tcpIdleTimeout) {
    this.bind = bind;
    this.port = port;
    this.responder = responder;
    this.tcpIdleTimeout = tcpIdleTimeout;
  }

  /** Binds UDP, then TCP on the same port number; returns it (the real one for port 0). */
  public synchronized int start() {
    if (group != null) {
      throw new IllegalStateException("already started");
    }
    group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("dns-classic"), NioIoHandler.newFactory());
    try {
      udp = new Bootstrap().group(group)
          .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
          .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
          .handler(new UdpHandler(responder))
          .bind(new InetSocketAddress(bind, port)).sync().channel();
      int bound = ((InetSocketAddress) udp.localAddress()).getPort();
      tcp = new ServerBootstrap().group(group)
          .channelFactory(() -> {
            try {
              return new NioServerSocketChannel(java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.INET6));
            } catch (java.io.IOException e) {
              throw new io.netty.channel.ChannelException("cannot open an IPv6 TCP socket", e);
            }
          })
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(
                  new ReadTimeoutHandler(tcpIdleTimeout.toMillis(), TimeUnit.MILLISECONDS),
                  new LengthFieldBasedFrameDecoder(2 + 65_535, 0, 2, 0, 2),
                  new TcpHandler(responder));
            }
          })
          .bind(new InetSocketAddress(bind, bound)).sync().channel();
      log.info("DNS listening on udp and tcp [{}]:{}", bind.getHostAddress(), bound);
      return bound;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      close();
      throw new IllegalStateException("cannot bind DNS to [" + bind.getHostAddress() + "]:" + port + ": " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    if (group == null) {
      return;
    }
    if (udp != null) {
      udp.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    if (tcp != null) {
      tcp.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    group = null;
  }

  @ChannelHandler.Sharable
  private static final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final DnsResponder responder;

    UdpHandler(DnsResponder responder) {
      this.responder = responder;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      byte[] query = ByteBufUtil.getBytes(packet.content());
      byte[] answer = responder.respond(query, packet.sender().getAddress(), DnsTransport.UDP);
      if (answer.length > 0) {
        ctx.write(new DatagramPacket(ctx.alloc().buffer(answer.length).writeBytes(answer), packet.sender()));
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A send error (ICMP unreachable) concerns one asker; the socket keeps serving.
      log.debug("DNS UDP: {}", cause.toString());
    }
  }

  private static final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final DnsResponder responder;

    TcpHandler(DnsResponder responder) {
      this.responder = responder;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      InetAddress source = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
      byte[] answer = responder.respond(ByteBufUtil.getBytes(frame), source, DnsTransport.TCP);
      if (answer.length == 0) {
        ctx.close();
        return;
      }
      ctx.writeAndFlush(ctx.alloc().buffer(2 + answer.length).writeShort(answer.length).writeBytes(answer))
          .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
