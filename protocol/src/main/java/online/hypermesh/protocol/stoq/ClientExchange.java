package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client exchange on its own bidirectional stream: sends something when the stream opens and
 * completes {@link #result} exactly once, on success, error, stream loss or timeout. All methods
 * run on the connection's event loop.
 */
abstract class ClientExchange<T> extends ChannelInboundHandlerAdapter {

  final CompletableFuture<T> result = new CompletableFuture<>();
  private ScheduledFuture<?> timeout;
  private EventExecutor timerExecutor;
  private Duration timerDuration;
  private Channel stream;
  /** Frames opened from the server on this stream: the receiving half of the per-stream nonce counter. */
  private long receivedSealed;

  /** The handlers to install on the new stream (this exchange, maybe behind a decoder). */
  abstract ChannelHandler streamHandlers();

  boolean isDone() {
    return result.isDone();
  }

  /** Starts the clock when the exchange is submitted, so waiting for stream credit counts too. */
  void startTimer(EventExecutor executor, Duration requestTimeout) {
    this.timerExecutor = executor;
    this.timerDuration = requestTimeout;
    timeout =
        executor.schedule(
            () ->
                fail(
                    new StoqException(
                        StoqError.TIMEOUT,
                        "no response within " + requestTimeout.toMillis() + " ms")),
            requestTimeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Restarts the clock (event loop only): for exchanges that make progress over a long time (an
   * upload), the timeout then bounds the time without progress, not the whole exchange.
   */
  void restartTimer() {
    if (timeout == null || isDone() || !timeout.cancel(false)) {
      return;
    }
    startTimer(timerExecutor, timerDuration);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    stream = ctx.channel();
  }

  final void succeed(T value) {
    if (result.complete(value)) {
      cancelTimer();
    }
  }

  /** Fails the exchange and abandons its stream, since its answer is no longer wanted. */
  final void fail(StoqException error) {
    if (!result.completeExceptionally(error)) {
      return;
    }
    cancelTimer();
    abandon();
  }

  /** The caller cancelled {@link #result} (event loop): abandon the stream as for a failure. */
  final void cancelled() {
    cancelTimer();
    abandon();
  }

  /**
   * Gives up the stream once the result is settled (event loop). The default resets it (an
   * exchange whose request already went out with FIN can only say so by a reset); exchanges whose
   * side is still open send CANCEL instead.
   */
  void abandon() {
    if (stream instanceof QuicStreamChannel quicStream && quicStream.isActive()) {
      quicStream
          .shutdown(StoqProtocol.STREAM_ABORTED)
          .addListener(f -> quicStream.close());
    }
  }

  /** A RESPONSE arrived for this exchange (through {@link #readAnswer}). */
  abstract void onResponse(byte[] payload);

  private void cancelTimer() {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  /** The server ended its side; nothing more can arrive, so the exchange is over either way. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      onStreamClosed();
      ctx.close();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    onStreamClosed();
    ctx.fireChannelInactive();
  }

  /** The stream is gone; subclasses decide whether that completes or fails the exchange. */
  void onStreamClosed() {
    fail(new StoqException(StoqError.UNAVAILABLE, "stream closed before a response arrived"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(new StoqException(StoqError.UNAVAILABLE, "stream failed: " + cause, cause));
    ctx.close();
  }

  /**
   * Handles what the server sends back on this stream: opens it when the session seals payloads, then
   * a RESPONSE completes the exchange and an ERROR fails it with the server's code.
   */
  final void readAnswer(
      ChannelHandlerContext ctx, Object msg, long correlationId, StoqSession session, long streamId) {
    try {
      if (isDone()) {
        return;
      }
      if (msg instanceof Frame frame) {
        Frame opened;
        try {
          opened =
              session != null && session.payloadProtection()
                  ? session.open(ctx.alloc(), frame.retain(), streamId, receivedSealed++)
                  : frame.retain();
        } catch (StoqException sealFailed) {
          fail(new StoqException(sealFailed.error(), "answer from server: "
              + sealFailed.getMessage()));
          return;
        }
        try {
          onAnswer(opened, correlationId);
        } finally {
          opened.release();
        }
      } else if (msg instanceof FrameDecodingException error) {
        fail(new StoqException(error.error(), "bad frame from server: " + error.getMessage()));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onAnswer(Frame frame, long correlationId) {
    if (frame.correlationId() != correlationId) {
      fail(
          new StoqException(
              StoqError.MALFORMED_FRAME,
              "server answered correlation id " + frame.correlationId() + ", expected "
                  + correlationId));
      return;
    }
    switch (frame.type()) {
      case RESPONSE -> onResponse(ByteBufUtil.getBytes(frame.payload()));
      case ERROR -> {
        try {
          fail(ErrorPayload.decode(frame.payload()).toException());
        } catch (StoqException malformed) {
          fail(new StoqException(malformed.error(), "bad ERROR frame from server: "
              + malformed.getMessage()));
        }
      }
      default ->
          fail(
              new StoqException(
                  StoqError.UNKNOWN_FRAME_TYPE, "server sent a " + frame.type() + " frame"));
    }
  }
}
