package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one bidirectional stream: each REQUEST frame goes to the {@link StoqHandler}, and gets
 * exactly one RESPONSE or ERROR with the same correlation id (in completion order, not request
 * order). Runs entirely on the connection's event loop, so it needs no locking.
 *
 * <p>Stream lifecycle: when the client ends its side (FIN) and every answer is written, the
 * server ends its side too and the stream is released. A recoverable decoding error (unknown
 * type/version/flags: frame boundary intact) is answered and the stream goes on. A fatal one
 * (bad length prefix, cut-off frame) is answered, then the stream is finished (FIN) and reading is
 * stopped (STOP_SENDING); answers still pending for earlier requests on that stream are dropped,
 * because a peer that lost framing cannot be relied on to read them.
 *
 * <p>Streamed uploads: STREAM_DATA frames (then STREAM_END) go, opened, to the {@link
 * StoqStreamHandler} from {@link StoqHandler#openStream}, one at a time; reading stays off while
 * a chunk's stage is pending, so QUIC flow control paces the client. The answer to STREAM_END is
 * the RESPONSE; a refusal or failure is one ERROR with FIN, after which the client's remaining
 * frames are read and dropped. A stream that ends, resets or closes mid-upload releases what is
 * queued and calls {@link StoqStreamHandler#abort}.
 */
final class ServerStreamHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ServerStreamHandler.class);

  /**
   * Requests one stream may have in the handler at once; beyond this the stream stops reading,
   * so a client pipelining on one stream gets QUIC flow control as back-pressure instead of
   * making the server queue unbounded work.
   */
  static final int MAX_IN_FLIGHT_PER_STREAM = 64;

  private static final String INTERNAL_MESSAGE = "internal error";

  private final StoqHandler handler;
  private final ServerConnection connection;
  private final int maxFrameBytes;
  private final Duration requestTimeout;
  /** Sealed frames received / sent on this stream: the nonce counters (see StoqSession). */
  private long receivedSealed;
  private long sentSealed;

  private int inFlight;
  /** The stream's upload (STREAM_DATA ... STREAM_END), or null; at most one per stream. */
  private Upload upload;
  /** Guards {@link #pumpUpload} against re-entry when a stage completes synchronously. */
  private boolean pumping;
  private boolean inputClosed;
  private boolean outputClosed;
  private ScheduledFuture<?> linger;

  ServerStreamHandler(
      StoqHandler handler, ServerConnection connection, int maxFrameBytes, Duration requestTimeout) {
    this.handler = handler;
    this.connection = connection;
    this.maxFrameBytes = maxFrameBytes;
    this.requestTimeout = requestTimeout;
  }

  /** One request in the handler; {@code done} guards against answering twice (timeout + late). */
  private static final class InFlight {
    final long correlationId;
    ScheduledFuture<?> timeout;
    boolean done;

    InFlight(long correlationId) {
      this.correlationId = correlationId;
    }
  }

  /**
   * A streamed upload on this stream. Counts as one request in {@link #inFlight} until answered
   * or aborted. {@code queued} holds opened frames the decoder produced while a chunk was still in
   * the handler (bounded by what one read brings, since reading stops while a chunk is busy).
   */
  private static final class Upload {
    final long correlationId;
    final StoqStreamHandler handler;
    final java.util.ArrayDeque<Frame> queued = new java.util.ArrayDeque<>();
    /** A chunk or end() is in the handler. */
    boolean busy;
    boolean endReceived;
    /** Answered or aborted: nothing more goes to the handler. */
    boolean finished;

    Upload(long correlationId, StoqStreamHandler handler) {
      this.correlationId = correlationId;
      this.handler = handler;
    }
  }

  /** One onChunk/end call in the handler; {@code done} guards against timeout + late result. */
  private static final class Step {
    final Frame chunk;
    ScheduledFuture<?> timeout;
    boolean done;

    Step(Frame chunk) {
      this.chunk = chunk;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Frame frame) {
      try {
        onFrame(ctx, frame);
      } finally {
        // The handler only borrows the payload for the duration of its call.
        frame.release();
      }
    } else if (msg instanceof FrameDecodingException error) {
      onDecodingError(ctx, error);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onFrame(ChannelHandlerContext ctx, Frame frame) {
    if (outputClosed) {
      return;
    }
    StoqSession session = connection.session();
    if (session == null) {
      // A stream opened while the STOQ handshake is still running (or never ran).
      send(
          ctx,
          Frame.error(
              frame.correlationId(),
              StoqError.UNAUTHENTICATED,
              "requests are refused until the STOQ handshake has authenticated the peer"),
          false);
      return;
    }
    if (frame.type() == FrameType.STREAM_DATA || frame.type() == FrameType.STREAM_END) {
      onStreamFrame(ctx, frame, session);
      return;
    }
    if (frame.type() != FrameType.REQUEST) {
      send(
          ctx,
          Frame.error(
              frame.correlationId(),
              StoqError.UNKNOWN_FRAME_TYPE,
              frame.type() + " frames are not accepted by a server"),
          false);
      return;
    }
    Frame opened;
    try {
      opened = session.open(ctx.alloc(), frame.retain(), streamId(ctx), receivedSealed++);
    } catch (StoqException sealFailed) {
      log.debug("STOQ sealed request rejected on {}: {}", ctx.channel(), sealFailed.getMessage());
      closeStreamWith(ctx, Frame.error(frame.correlationId(), sealFailed.error(),
          sealFailed.getMessage()));
      return;
    }
    InFlight request = new InFlight(frame.correlationId());
    inFlight++;
    updateReadInterest(ctx);
    CompletionStage<ByteBuf> stage;
    try {
      stage = handler.handleBuffer(session.peer(), opened.payload());
      if (stage == null) {
        stage = CompletableFuture.failedStage(new NullPointerException("handler returned null"));
      }
    } catch (Throwable t) {
      stage = CompletableFuture.failedStage(t);
    } finally {
      opened.release();
    }
    request.timeout =
        ctx.executor()
            .schedule(
                () ->
                    complete(
                        ctx,
                        request,
                        null,
                        new StoqException(
                            StoqError.TIMEOUT,
                            "no answer within " + requestTimeout.toMillis() + " ms")),
                requestTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
    stage.whenComplete(
        (answer, failure) -> {
          EventExecutor executor = ctx.executor();
          if (executor.inEventLoop()) {
            complete(ctx, request, answer, failure);
          } else {
            try {
              executor.execute(() -> complete(ctx, request, answer, failure));
            } catch (RejectedExecutionException e) {
              // Server shutting down: the connection is going away, nobody to answer.
              ReferenceCountUtil.release(answer);
            }
          }
        });
  }

  private void onStreamFrame(ChannelHandlerContext ctx, Frame frame, StoqSession session) {
    Upload current = upload;
    if (current == null) {
      StoqStreamHandler streamHandler;
      try {
        streamHandler = handler.openStream(session.peer());
      } catch (Throwable t) {
        send(ctx, errorReply(frame.correlationId(), t), true);
        return;
      }
      if (streamHandler == null) {
        // FIN with the refusal; whatever the client still sends is read and dropped.
        send(
            ctx,
            Frame.error(frame.correlationId(), StoqError.STREAM_REFUSED,
                "this server takes no streamed uploads"),
            true);
        return;
      }
      current = new Upload(frame.correlationId(), streamHandler);
      upload = current;
      inFlight++;
    } else if (current.finished) {
      return; // frames after the answer (or after an abort): dropped
    } else if (current.endReceived || frame.correlationId() != current.correlationId) {
      failUpload(ctx, current, new StoqException(StoqError.STREAM_REFUSED,
          current.endReceived ? "frame after STREAM_END" : "a second upload on one stream"));
      return;
    }
    Frame opened;
    try {
      opened = session.open(ctx.alloc(), frame.retain(), streamId(ctx), receivedSealed++);
    } catch (StoqException sealFailed) {
      log.debug("STOQ sealed upload frame rejected on {}: {}", ctx.channel(),
          sealFailed.getMessage());
      failUpload(ctx, current, sealFailed);
      return;
    }
    if (opened.type() == FrameType.STREAM_END) {
      current.endReceived = true;
    }
    current.queued.add(opened);
    pumpUpload(ctx);
  }

  /** Hands queued upload frames to the handler, one at a time, while it is not busy. */
  private void pumpUpload(ChannelHandlerContext ctx) {
    if (pumping) {
      return; // the loop below picks up where a synchronous completion left off
    }
    pumping = true;
    try {
      Upload current;
      while ((current = upload) != null
          && !current.finished
          && !current.busy
          && !current.queued.isEmpty()) {
        Frame next = current.queued.poll();
        boolean end = next.type() == FrameType.STREAM_END;
        Step step = new Step(end ? null : next);
        if (end) {
          next.release();
        }
        current.busy = true;
        CompletionStage<?> stage;
        try {
          stage = end ? current.handler.end() : current.handler.onChunk(next.payload());
          if (stage == null) {
            stage =
                CompletableFuture.failedStage(new NullPointerException("handler returned null"));
          }
        } catch (Throwable t) {
          stage = CompletableFuture.failedStage(t);
        }
        Upload owner = current;
        step.timeout =
            ctx.executor()
                .schedule(
                    () ->
                        stepDone(ctx, owner, step, null,
                            new StoqException(StoqError.TIMEOUT, "upload handler gave no answer"
                                + " within " + requestTimeout.toMillis() + " ms")),
                    requestTimeout.toNanos(),
                    TimeUnit.NANOSECONDS);
        stage.whenComplete(
            (answer, failure) -> {
              EventExecutor executor = ctx.executor();
              if (executor.inEventLoop()) {
                stepDone(ctx, owner, step, answer, failure);
              } else {
                try {
                  executor.execute(() -> stepDone(ctx, owner, step, answer, failure));
                } catch (RejectedExecutionException e) {
                  // Server shutting down: nobody to answer, but the chunk is still ours.
                  if (step.chunk != null && !step.done) {
                    step.done = true;
                    step.chunk.release();
                  }
                }
              }
            });
      }
    } finally {
      pumping = false;
    }
    updateReadInterest(ctx);
  }

  private void stepDone(
      ChannelHandlerContext ctx, Upload owner, Step step, Object answer, Throwable failure) {
    if (step.done) {
      return;
    }
    step.done = true;
    step.timeout.cancel(false);
    if (step.chunk != null) {
      step.chunk.release();
    }
    owner.busy = false;
    if (owner.finished) {
      updateReadInterest(ctx);
      return;
    }
    if (failure != null || (step.chunk == null && answer == null)) {
      failUpload(ctx, owner, failure);
      return;
    }
    if (step.chunk == null) {
      owner.finished = true;
      inFlight--;
      send(ctx, Frame.response(owner.correlationId, Unpooled.wrappedBuffer((byte[]) answer)),
          inputClosed && inFlight == 0);
      updateReadInterest(ctx);
      return;
    }
    pumpUpload(ctx);
  }

  /**
   * Ends an upload without a response: tells the handler, releases what is queued and answers
   * ERROR with FIN (a no-op when the stream is gone). Frames the client still sends are dropped.
   */
  private void failUpload(ChannelHandlerContext ctx, Upload current, Throwable failure) {
    if (current.finished) {
      return;
    }
    current.finished = true;
    inFlight--;
    Frame queued;
    while ((queued = current.queued.poll()) != null) {
      queued.release();
    }
    Throwable cause = unwrap(failure);
    StoqException reason =
        cause instanceof StoqException stoq
            ? stoq
            : new StoqException(StoqError.INTERNAL, INTERNAL_MESSAGE, cause);
    try {
      current.handler.abort(reason);
    } catch (Throwable t) {
      log.warn("STOQ stream handler failed in abort", t);
    }
    send(ctx, errorReply(current.correlationId, failure), true);
    updateReadInterest(ctx);
  }

  private void complete(
      ChannelHandlerContext ctx, InFlight request, ByteBuf answer, Throwable failure) {
    if (request.done) {
      // A late answer (after the timeout): ours to release.
      ReferenceCountUtil.release(answer);
      return;
    }
    request.done = true;
    request.timeout.cancel(false);
    inFlight--;
    Frame reply;
    if (failure == null && answer != null) {
      reply = Frame.response(request.correlationId, answer);
    } else {
      reply = errorReply(request.correlationId, failure);
    }
    send(ctx, reply, inputClosed && inFlight == 0);
    updateReadInterest(ctx);
  }

  private static Frame errorReply(long correlationId, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StoqException stoq) {
      String message = stoq.getMessage() == null ? "" : stoq.getMessage();
      return Frame.error(correlationId, stoq.error(), message);
    }
    if (cause == null) {
      log.warn("STOQ handler completed request {} with null", correlationId);
    } else {
      log.warn("STOQ handler failed on request {}", correlationId, cause);
    }
    return Frame.error(correlationId, StoqError.INTERNAL, INTERNAL_MESSAGE);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private void onDecodingError(ChannelHandlerContext ctx, FrameDecodingException error) {
    if (outputClosed) {
      return;
    }
    log.debug("STOQ bad frame on {}: {}", ctx.channel(), error.getMessage());
    Frame reply = Frame.error(error.correlationId(), error.error(), error.getMessage());
    if (!error.streamFatal()) {
      send(ctx, reply, false);
      return;
    }
    closeStreamWith(ctx, reply);
  }

  /** Sends a last frame (with FIN), stops reading (STOP_SENDING) and closes the stream. */
  private void closeStreamWith(ChannelHandlerContext ctx, Frame reply) {
    QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
    ChannelFuture written = send(ctx, reply, true);
    if (!stream.isInputShutdown()) {
      stream.shutdownInput(StoqProtocol.STREAM_ABORTED);
    }
    if (written != null) {
      written.addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  /** Encodes and writes a frame (releasing it); {@code fin} ends our side of the stream. */
  private ChannelFuture send(ChannelHandlerContext ctx, Frame frame, boolean fin) {
    if (outputClosed || !ctx.channel().isActive()) {
      frame.release();
      return null;
    }
    StoqSession session = connection.session();
    int overhead = session == null ? 0 : session.overhead();
    if (FrameCodec.encodedSize(frame.payload().readableBytes() + overhead) > maxFrameBytes) {
      log.warn("STOQ reply {} not sent: {} payload bytes exceed the frame limit of {}",
          frame.correlationId(), frame.payload().readableBytes(), maxFrameBytes);
      Frame error =
          Frame.error(frame.correlationId(), StoqError.FRAME_TOO_LARGE,
              "response exceeds the frame limit");
      frame.release();
      frame = error;
    }
    ByteBuf encoded;
    try {
      if (session != null && session.payloadProtection()) {
        // Sealed straight into the pooled I/O buffer that goes to the stream: one pass.
        encoded = session.encode(ctx.alloc(), frame, streamId(ctx), sentSealed++, maxFrameBytes);
      } else {
        encoded = FrameCodec.encode(ctx.alloc(), frame, maxFrameBytes);
      }
    } finally {
      frame.release();
    }
    if (fin) {
      outputClosed = true;
      scheduleLinger(ctx);
    }
    // FIN rides on the last frame so it is ordered after all queued data.
    return ctx.writeAndFlush(new DefaultQuicStreamFrame(encoded, fin))
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                // Usually the client abandoned the stream (STOP_SENDING): nothing more to do on it.
                log.debug("STOQ write failed on {}: {}", f.channel(), f.cause().toString());
                f.channel().close();
              }
            });
  }

  private static long streamId(ChannelHandlerContext ctx) {
    return ((QuicStreamChannel) ctx.channel()).streamId();
  }

  private void finishIfDone(ChannelHandlerContext ctx) {
    if (inputClosed && inFlight == 0 && !outputClosed && ctx.channel().isActive()) {
      outputClosed = true;
      scheduleLinger(ctx);
      ctx.writeAndFlush(QuicStreamFrame.EMPTY_FIN);
    }
  }

  /**
   * Bounds how long a finished stream may wait for its last bytes to drain. Normally the stream
   * closes as soon as our FIN is out, but if the client abandoned it (STOP_SENDING) quiche may
   * already have forgotten the stream and Netty then waits forever for it to become writable.
   */
  private void scheduleLinger(ChannelHandlerContext ctx) {
    if (linger == null) {
      linger =
          ctx.executor()
              .schedule(
                  (Runnable) ctx::close,
                  requestTimeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void updateReadInterest(ChannelHandlerContext ctx) {
    ChannelConfig config = ctx.channel().config();
    Upload current = upload;
    boolean uploadIdle =
        current == null || current.finished || (!current.busy && current.queued.isEmpty());
    boolean wanted =
        inFlight < MAX_IN_FLIGHT_PER_STREAM && ctx.channel().isWritable() && uploadIdle;
    if (config.isAutoRead() != wanted) {
      config.setAutoRead(wanted);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateReadInterest(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputClosed = true;
      Upload current = upload;
      if (current != null && !current.finished && !current.endReceived) {
        failUpload(ctx, current,
            new StoqException(StoqError.MALFORMED_FRAME, "stream ended before STREAM_END"));
      }
      finishIfDone(ctx);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Late handler results find outputClosed and are dropped.
    outputClosed = true;
    Upload current = upload;
    if (current != null) {
      failUpload(ctx, current,
          new StoqException(StoqError.UNAVAILABLE, "stream closed before the upload ended"));
    }
    if (linger != null) {
      linger.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Typically a reset by the client; the stream is of no further use.
    log.debug("STOQ stream error on {}: {}", ctx.channel(), cause.toString());
    outputClosed = true;
    ctx.close();
  }
}
