package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The server's end of the handshake stream (stream 0): ClientHello in, ServerHello out,
 * ClientFinished in, ServerFinished out (with FIN). Anything else, or any failure, closes the
 * connection through {@link ServerConnection#fail}.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {

  private enum Phase { AWAITING_HELLO, AWAITING_FINISHED, DONE }

  private final ServerConnection connection;
  private Phase phase = Phase.AWAITING_HELLO;

  ServerHandshakeHandler(ServerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (phase == Phase.DONE) {
        connection.fail(StoqError.HANDSHAKE_FAILED, "data after the handshake on stream 0");
      } else if (msg instanceof Frame frame) {
        onFrame(ctx, frame);
      } else if (msg instanceof FrameDecodingException error) {
        connection.fail(error.error(), "bad handshake frame: " + error.getMessage());
      }
    } catch (StoqException e) {
      connection.fail(e.error(), e.getMessage());
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(ServerHandshakeHandler.class)
          .warn("STOQ handshake failed unexpectedly", e);
      connection.fail(StoqError.HANDSHAKE_FAILED, "internal error");
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onFrame(ChannelHandlerContext ctx, Frame frame) {
    if (frame.type() != FrameType.HANDSHAKE) {
      throw new StoqException(
          StoqError.UNAUTHENTICATED,
          "the first stream must carry the STOQ handshake, got a " + frame.type() + " frame");
    }
    byte[] bytes = ByteBufUtil.getBytes(frame.payload());
    HandshakeMessage message = HandshakeMessage.parse(bytes);
    if (phase == Phase.AWAITING_HELLO && message instanceof HandshakeMessage.ClientHello hello) {
      HandshakeMessage.ServerHello reply = connection.handshake().onClientHello(hello, bytes);
      phase = Phase.AWAITING_FINISHED;
      send(ctx, reply, false);
    } else if (phase == Phase.AWAITING_FINISHED
        && message instanceof HandshakeMessage.ClientFinished finished) {
      StoqHandshake.Established done = connection.handshake().onClientFinished(finished);
      phase = Phase.DONE;
      connection.established(done.session());
      send(ctx, done.finished(), true);
    } else {
      throw new StoqException(
          StoqError.HANDSHAKE_FAILED,
          "unexpected " + message.getClass().getSimpleName() + " while " + phase);
    }
  }

  private static void send(ChannelHandlerContext ctx, HandshakeMessage message, boolean fin) {
    Frame frame = new Frame(FrameType.HANDSHAKE, Frame.NO_FLAGS, 0,
        Unpooled.wrappedBuffer(message.encode()));
    try {
      ctx.writeAndFlush(new DefaultQuicStreamFrame(
          FrameCodec.encode(ctx.alloc(), frame, HandshakeMessage.MAX_MESSAGE_BYTES), fin));
    } finally {
      frame.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && phase != Phase.DONE) {
      connection.fail(StoqError.HANDSHAKE_FAILED, "handshake stream ended before ClientFinished");
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (phase != Phase.DONE) {
      connection.fail(StoqError.HANDSHAKE_FAILED, "handshake stream failed");
    }
    ctx.close();
  }
}
