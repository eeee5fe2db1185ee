package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;

/** One REQUEST frame (with FIN: one request per stream) and its RESPONSE or ERROR. */
final class RequestExchange extends ClientExchange<byte[]> {

  private final long correlationId;
  private final byte[] payload;
  private final int maxFrameBytes;
  /** Seals the request and opens the answer when the connection has payload protection. */
  private final StoqSession session;
  /** Tests only: flip a byte of the sealed payload. */
  private final boolean tamper;
  private long streamId;

  RequestExchange(
      long correlationId, byte[] payload, int maxFrameBytes, StoqSession session, boolean tamper) {
    this.correlationId = correlationId;
    this.payload = payload;
    this.maxFrameBytes = maxFrameBytes;
    this.session = session;
    this.tamper = tamper;
  }

  @Override
  ChannelHandler streamHandlers() {
    RequestExchange exchange = this;
    return new ChannelInitializer<QuicStreamChannel>() {
      @Override
      protected void initChannel(QuicStreamChannel ch) {
        ch.pipeline()
            .addLast(
                new FrameDecoder(
                    maxFrameBytes, false, session != null && session.payloadProtection()),
                exchange);
      }
    };
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (isDone()) {
      ctx.close(); // timed out or cancelled while the stream was being opened
      return;
    }
    streamId = ((QuicStreamChannel) ctx.channel()).streamId();
    Frame request = Frame.request(correlationId, Unpooled.wrappedBuffer(payload));
    ByteBuf encoded;
    try {
      if (session != null && session.payloadProtection()) {
        // Sealed straight into the pooled I/O buffer that goes to the stream: one pass.
        encoded = session.encode(ctx.alloc(), request, streamId, 0, maxFrameBytes);
        if (tamper && encoded.readableBytes() > FrameCodec.MIN_FRAME_BYTES) {
          int last = encoded.writerIndex() - 1;
          encoded.setByte(last, encoded.getByte(last) ^ 0x01);
        }
      } else {
        encoded = FrameCodec.encode(ctx.alloc(), request, maxFrameBytes);
      }
    } catch (StoqException e) {
      fail(e);
      return;
    } finally {
      request.release();
    }
    // FIN with the request: the server learns at once that no more requests follow.
    ctx.writeAndFlush(new DefaultQuicStreamFrame(encoded, true))
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                fail(
                    new StoqException(
                        StoqError.UNAVAILABLE, "cannot send request: " + f.cause(), f.cause()));
              }
            });
    ctx.fireChannelActive();
  }

  @Override
  void onResponse(byte[] payload) {
    succeed(payload);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readAnswer(ctx, msg, correlationId, session, streamId);
  }
}
