package online.hypermesh.protocol.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One DoQ stream (RFC 9250 section 4.2): the client sends a 2-byte length and one DNS message, then
 * FIN; we answer with a 2-byte length and the response, then FIN. A stream that carries a message id
 * other than 0, more than one message, or ends before its message is whole is a protocol error: the
 * connection is closed with DOQ_PROTOCOL_ERROR. A stream that stalls is closed after the timeout.
 */
final class DoqStreamHandler extends ChannelInboundHandlerAdapter {

  private static final int MAX_STREAM_BYTES = 2 + 65_535;

  private final DnsResponder responder;
  private final Duration timeout;
  private ByteBuf received;
  private boolean answered;
  private ScheduledFuture<?> timer;

  DoqStreamHandler(DnsResponder responder, Duration timeout) {
    this.responder = responder;
    this.timeout = timeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> {
      ctx.close();
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.cancel(false);
    if (received != null) {
      received.release();
      received = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf data)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (answered) {
        if (data.isReadable()) {
          protocolError(ctx, "data after the query");
        }
        return;
      }
      if (received == null) {
        received = ctx.alloc().buffer(Math.max(64, data.readableBytes()));
      }
      if (received.readableBytes() + data.readableBytes() > MAX_STREAM_BYTES) {
        protocolError(ctx, "more than one message");
        return;
      }
      received.writeBytes(data);
    } finally {
      data.release();
    }
    tryAnswer(ctx);
  }

  private void tryAnswer(ChannelHandlerContext ctx) {
    if (received.readableBytes() < 2) {
      return;
    }
    int length = received.getUnsignedShort(received.readerIndex());
    if (received.readableBytes() < 2 + length) {
      return;
    }
    if (received.readableBytes() > 2 + length) {
      protocolError(ctx, "more than one message");
      return;
    }
    byte[] query = new byte[length];
    received.getBytes(received.readerIndex() + 2, query);
    received.release();
    received = null;
    answered = true;
    if (length >= 2 && (query[0] != 0 || query[1] != 0)) {
      protocolError(ctx, "message id is not 0");
      return;
    }
    byte[] answer = responder.respond(query, sourceOf(ctx), DnsTransport.QUIC);
    if (answer.length == 0) {
      protocolError(ctx, "not a query");
      return;
    }
    ByteBuf out = ctx.alloc().buffer(2 + answer.length);
    out.writeShort(answer.length).writeBytes(answer);
    ctx.writeAndFlush(new DefaultQuicStreamFrame(out, true)).addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close();
      }
    });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && !answered) {
      protocolError(ctx, "stream ended before its message was whole");
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void protocolError(ChannelHandlerContext ctx, String reason) {
    answered = true;
    QuicChannel connection = ((QuicStreamChannel) ctx.channel()).parent();
    connection.close(true, DoqService.DOQ_PROTOCOL_ERROR, Unpooled.copiedBuffer(reason, java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static InetAddress sourceOf(ChannelHandlerContext ctx) {
    SocketAddress remote = ((QuicStreamChannel) ctx.channel()).parent().remoteSocketAddress();
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
