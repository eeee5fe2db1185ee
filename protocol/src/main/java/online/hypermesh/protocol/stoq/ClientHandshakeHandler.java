package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * The client's end of the handshake stream (stream 0): sends ClientHello when the stream opens,
 * answers the ServerHello with ClientFinished, and hands the session on once the ServerFinished
 * confirmation checks out. Exactly one of the two callbacks is called, once.
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {

  private final StoqHandshake.Client handshake;
  private final Consumer<StoqSession> onDone;
  private final Consumer<StoqException> onFailure;
  private boolean helloAnswered;
  private boolean over;

  ClientHandshakeHandler(
      StoqHandshake.Client handshake,
      Consumer<StoqSession> onDone,
      Consumer<StoqException> onFailure) {
    this.handshake = handshake;
    this.onDone = onDone;
    this.onFailure = onFailure;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    send(ctx, handshake.hello(), false);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (over) {
        return;
      }
      if (msg instanceof Frame frame) {
        onFrame(ctx, frame);
      } else if (msg instanceof FrameDecodingException error) {
        fail(new StoqException(error.error(), "bad handshake frame from server: "
            + error.getMessage()));
      }
    } catch (StoqException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new StoqException(StoqError.HANDSHAKE_FAILED, "handshake failed: " + e, e));
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onFrame(ChannelHandlerContext ctx, Frame frame) {
    if (frame.type() == FrameType.ERROR) {
      ErrorPayload error = ErrorPayload.decode(frame.payload());
      StoqException e = error.toException();
      throw new StoqException(
          e.error() == StoqError.UNKNOWN_FRAME_TYPE ? StoqError.HANDSHAKE_FAILED : e.error(),
          "server refused the STOQ handshake (does it have a STOQ identity?): " + e.getMessage());
    }
    if (frame.type() != FrameType.HANDSHAKE) {
      throw new StoqException(
          StoqError.HANDSHAKE_FAILED, "server sent a " + frame.type() + " frame on stream 0");
    }
    HandshakeMessage message = HandshakeMessage.parse(ByteBufUtil.getBytes(frame.payload()));
    if (!helloAnswered && message instanceof HandshakeMessage.ServerHello hello) {
      helloAnswered = true;
      HandshakeMessage.ClientFinished finished =
          handshake.onServerHello(hello, ctx.channel().parent().remoteAddress());
      send(ctx, finished, true);
    } else if (helloAnswered && message instanceof HandshakeMessage.ServerFinished finished) {
      StoqSession session = handshake.onServerFinished(finished);
      over = true;
      onDone.accept(session);
      ctx.close();
    } else {
      throw new StoqException(
          StoqError.HANDSHAKE_FAILED,
          "unexpected " + message.getClass().getSimpleName() + " from server");
    }
  }

  private void fail(StoqException e) {
    if (!over) {
      over = true;
      onFailure.accept(e);
    }
  }

  private static void send(ChannelHandlerContext ctx, HandshakeMessage message, boolean fin) {
    Frame frame =
        new Frame(FrameType.HANDSHAKE, Frame.NO_FLAGS, 0, Unpooled.wrappedBuffer(message.encode()));
    try {
      ctx.writeAndFlush(
          new DefaultQuicStreamFrame(
              FrameCodec.encode(ctx.alloc(), frame, HandshakeMessage.MAX_MESSAGE_BYTES), fin));
    } finally {
      frame.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      fail(new StoqException(StoqError.HANDSHAKE_FAILED, "server ended the handshake stream"));
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(new StoqException(StoqError.HANDSHAKE_FAILED, "handshake stream closed"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(new StoqException(StoqError.HANDSHAKE_FAILED, "handshake stream failed: " + cause));
    ctx.close();
  }
}
