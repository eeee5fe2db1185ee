package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import java.io.ByteArrayOutputStream;

/**
 * Writes arbitrary bytes on a new stream and collects everything the server sends until it ends
 * the stream. For diagnostics and malformed-input tests; no framing is applied either way.
 */
final class RawExchange extends ClientExchange<byte[]> {

  private final byte[] bytes;
  private final boolean finish;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  RawExchange(byte[] bytes, boolean finish) {
    this.bytes = bytes;
    this.finish = finish;
  }

  @Override
  ChannelHandler streamHandlers() {
    return this;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ByteBuf out = ctx.alloc().ioBuffer(bytes.length).writeBytes(bytes);
    ctx.writeAndFlush(new DefaultQuicStreamFrame(out, finish))
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                fail(
                    new StoqException(
                        StoqError.UNAVAILABLE, "cannot send bytes: " + f.cause(), f.cause()));
              }
            });
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      in.readBytes(received, in.readableBytes());
    } catch (java.io.IOException impossible) {
      throw new IllegalStateException(impossible);
    } finally {
      in.release();
    }
  }

  /** Raw exchanges read no frames. */
  @Override
  void onResponse(byte[] payload) {
    throw new IllegalStateException("raw exchanges decode no frames");
  }

  /** The server ended the stream: what arrived is the answer. */
  @Override
  void onStreamClosed() {
    succeed(received.toByteArray());
  }
}
