package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.IOException;
import java.io.InputStream;

/**
 * A streamed upload on its own stream: STREAM_DATA frames of at most {@code chunkBytes} payload
 * bytes, then STREAM_END with FIN; completes with the server's RESPONSE (or ERROR).
 *
 * <p>Backpressure: the next chunk is read from the source only while the stream channel is
 * writable, i.e. while Netty's outbound buffer for the stream is below its high-water mark. The
 * channel becomes writable again ({@link #channelWritabilityChanged}) when QUIC has taken the
 * bytes, which in turn depends on the server's flow-control credit, which the server only gives
 * while its handler keeps up. So at most about one chunk waits in this client.
 */
final class UploadExchange extends ClientExchange {

  private final long correlationId;
  private final InputStream source;
  private final int chunkBytes;
  private final int maxFrameBytes;
  private final StoqSession session;
  private ChannelHandlerContext ctx;
  private long streamId;
  private long sentSealed;
  /** STREAM_END is out (or sending stopped): nothing more to read from the source. */
  private boolean ended;

  UploadExchange(
      long correlationId, InputStream source, int chunkBytes, int maxFrameBytes,
      StoqSession session) {
    this.correlationId = correlationId;
    this.source = source;
    this.chunkBytes = chunkBytes;
    this.maxFrameBytes = maxFrameBytes;
    this.session = session;
  }

  private boolean sealed() {
    return session != null && session.payloadProtection();
  }

  @Override
  ChannelHandler streamHandlers() {
    UploadExchange exchange = this;
    return new ChannelInitializer<QuicStreamChannel>() {
      @Override
      protected void initChannel(QuicStreamChannel ch) {
        ch.pipeline().addLast(new FrameDecoder(maxFrameBytes, false, sealed()), exchange);
      }
    };
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    streamId = ((QuicStreamChannel) ctx.channel()).streamId();
    pump();
    ctx.fireChannelActive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    pump();
    ctx.fireChannelWritabilityChanged();
  }

  /** Sends chunks while the stream is writable; the last one is followed by STREAM_END + FIN. */
  private void pump() {
    while (!ended && !isDone() && ctx.channel().isActive() && ctx.channel().isWritable()) {
      ByteBuf chunk = ctx.alloc().heapBuffer(chunkBytes);
      boolean eof = false;
      try {
        while (chunk.readableBytes() < chunkBytes) {
          if (chunk.writeBytes(source, chunkBytes - chunk.readableBytes()) < 0) {
            eof = true;
            break;
          }
        }
      } catch (IOException | RuntimeException e) {
        chunk.release();
        ended = true;
        fail(new StoqException(StoqError.UNAVAILABLE, "cannot read the upload source: " + e, e));
        return;
      }
      if (chunk.isReadable()) {
        if (!send(new Frame(FrameType.STREAM_DATA, Frame.NO_FLAGS, correlationId, chunk), false)) {
          return;
        }
      } else {
        chunk.release();
      }
      if (eof) {
        ended = true;
        send(
            new Frame(FrameType.STREAM_END, Frame.NO_FLAGS, correlationId,
                io.netty.buffer.Unpooled.EMPTY_BUFFER),
            true);
      }
    }
  }

  /** Encodes (seals) and writes a frame, releasing it; false when the exchange failed. */
  private boolean send(Frame frame, boolean fin) {
    ByteBuf encoded;
    try {
      encoded =
          sealed()
              ? session.encode(ctx.alloc(), frame, streamId, sentSealed++, maxFrameBytes)
              : FrameCodec.encode(ctx.alloc(), frame, maxFrameBytes);
    } catch (StoqException e) {
      ended = true;
      fail(e);
      return false;
    } finally {
      frame.release();
    }
    ctx.writeAndFlush(new DefaultQuicStreamFrame(encoded, fin))
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                restartTimer();
              } else {
                ended = true;
                fail(
                    new StoqException(
                        StoqError.UNAVAILABLE, "cannot send upload: " + f.cause(), f.cause()));
              }
            });
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readAnswer(ctx, msg, correlationId, session, streamId);
  }
}
