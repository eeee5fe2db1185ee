package online.hypermesh.protocol.stoq;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet6Address;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drops datagrams from IPv4 senders before they reach QUIC.
 *
 * <p>Why: an IPv6 socket bound to {@code ::} is dual-stack on Linux by default (IPv4 peers
 * arrive as ::ffff:a.b.c.d, which the JDK reports as IPv4 addresses), and neither the JDK nor
 * Netty's NIO transport exposes IPV6_V6ONLY for datagram sockets. STOQ is IPv6-only, so the
 * check happens here.
 */
@ChannelHandler.Sharable
final class Ipv6OnlyFilter extends ChannelInboundHandlerAdapter {

  private final AtomicLong dropped;

  Ipv6OnlyFilter(AtomicLong dropped) {
    this.dropped = dropped;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof DatagramPacket packet
        && !(packet.sender().getAddress() instanceof Inet6Address)) {
      dropped.incrementAndGet();
      packet.release();
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
