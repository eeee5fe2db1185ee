package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's end of the handshake stream (stream 0): ClientHello in, ServerHello out,
 * ClientFinished in, ServerFinished out (with FIN). Anything else, or any failure, closes the
 * connection through {@link ServerConnection#fail}.
 *
 * <p>The crypto of each step runs on {@link HandshakeWorkers}; the handler waits in a WORKING phase
 * (any frame then is a protocol error: the client cannot have seen our reply yet) and resumes on
 * the event loop, which alone touches the stream and the connection.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

  private enum Phase { AWAITING_HELLO, WORKING_ON_HELLO, AWAITING_FINISHED, WORKING_ON_FINISHED, DONE }

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
      log.warn("STOQ handshake failed unexpectedly", e);
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
      phase = Phase.WORKING_ON_HELLO;
      offload(ctx, () -> connection.handshake().onClientHello(hello, bytes), reply -> {
        phase = Phase.AWAITING_FINISHED;
        send(ctx, reply, false);
      });
    } else if (phase == Phase.AWAITING_FINISHED
        && message instanceof HandshakeMessage.ClientFinished finished) {
      phase = Phase.WORKING_ON_FINISHED;
      offload(ctx, () -> connection.handshake().onClientFinished(finished), done -> {
        phase = Phase.DONE;
        connection.established(done.session());
        send(ctx, done.finished(), true);
      });
    } else {
      throw new StoqException(
          StoqError.HANDSHAKE_FAILED,
          "unexpected " + message.getClass().getSimpleName() + " while " + phase);
    }
  }

  /** Runs {@code work} off the event loop, then {@code then} (or the failure) back on it. */
  private <T> void offload(ChannelHandlerContext ctx, Supplier<T> work, Consumer<T> then) {
    try {
      HandshakeWorkers.pool().execute(() -> {
        T result;
        try {
          result = work.get();
        } catch (StoqException e) {
          ctx.executor().execute(() -> connection.fail(e.error(), e.getMessage()));
          return;
        } catch (RuntimeException e) {
          log.warn("STOQ handshake failed unexpectedly", e);
          ctx.executor().execute(() -> connection.fail(StoqError.HANDSHAKE_FAILED, "internal error"));
          return;
        }
        ctx.executor().execute(() -> then.accept(result));
      });
    } catch (RejectedExecutionException e) {
      connection.fail(StoqError.UNAVAILABLE, "server busy: too many handshakes in progress");
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
    // The client ends its side with ClientFinished, possibly while we are still checking it.
    if (evt instanceof ChannelInputShutdownEvent && phase != Phase.DONE
        && phase != Phase.WORKING_ON_FINISHED) {
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
