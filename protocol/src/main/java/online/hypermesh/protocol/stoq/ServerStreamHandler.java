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
 *
 * <p>Streamed downloads: a REQUEST with {@link FrameCodec#FLAG_DOWNLOAD}, alone on its stream, is
 * answered by the {@link StoqDownloadSource} from {@link StoqHandler#openDownload}: its chunks are
 * pulled one at a time, only while the stream is writable, and sent as STREAM_DATA, then
 * STREAM_END with FIN (or one ERROR with FIN). The stream stays readable meanwhile so a CANCEL is
 * seen at once; anything else the client sends on it ends the download.
 *
 * <p>CANCEL: for the stream's download or upload it ends the transfer (the source's or handler's
 * abort is called) with ERROR CANCELLED and FIN; for a request still in the handler it drops the
 * answer (cancelling the handler's stage) and answers ERROR CANCELLED; for an id already answered
 * it is ignored. A stream that closes cancels the stages of the requests still in the handler.
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
  /** The stream's download, or null; only on a stream with nothing else. */
  private Download download;
  /** Requests in the handler by correlation id, for CANCEL; made on first use. */
  private java.util.Map<Long, InFlight> requests;
  /** Guards {@link #pumpDownload} against re-entry when a stage completes synchronously. */
  private boolean pullingDownload;
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
    CompletionStage<ByteBuf> stage;
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

  /** A streamed download on this stream. Counts as one request in {@link #inFlight}. */
  private static final class Download {
    final long correlationId;
    final StoqDownloadSource source;
    /** A next() stage is pending. */
    boolean busy;
    /** STREAM_END sent or aborted: nothing more goes to the source. */
    boolean finished;
    /** Fails the download when no chunk went out for requestTimeout. */
    ScheduledFuture<?> progress;

    Download(long correlationId, StoqDownloadSource source) {
      this.correlationId = correlationId;
      this.source = source;
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
    if (frame.type() == FrameType.CANCEL) {
      onCancel(ctx, frame, session);
      return;
    }
    Download active = download;
    if (active != null && !active.finished) {
      failDownload(ctx, active, new StoqException(StoqError.STREAM_REFUSED,
          "only CANCEL may follow a download request on its stream"));
      return;
    }
    if (frame.type() == FrameType.STREAM_DATA || frame.type() == FrameType.STREAM_END) {
      onStreamFrame(ctx, frame, session);
      return;
    }
    if (frame.type() == FrameType.LINK) {
      startLink(ctx, frame, session);
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
    if ((opened.flags() & FrameCodec.FLAG_DOWNLOAD) != 0) {
      startDownload(ctx, opened, session);
      return;
    }
    InFlight request = new InFlight(frame.correlationId());
    inFlight++;
    if (requests == null) {
      requests = new java.util.HashMap<>();
    }
    requests.put(request.correlationId, request);
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
    request.stage = stage;
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

  /**
   * A LINK opening as the stream's first frame: the stream becomes a link ({@link LinkHandler}
   * takes this handler's place). Anywhere else a LINK frame is refused.
   */
  private void startLink(ChannelHandlerContext ctx, Frame frame, StoqSession session) {
    boolean fresh = receivedSealed == 0 && sentSealed == 0 && inFlight == 0 && upload == null
        && download == null && !inputClosed;
    if (!fresh || (frame.flags() & FrameCodec.FLAG_LINK_OPEN) == 0) {
      closeStreamWith(ctx, Frame.error(frame.correlationId(), StoqError.STREAM_REFUSED,
          "a link must be opened by the first frame of its stream"));
      return;
    }
    LinkHandler link = LinkHandler.server(session, maxFrameBytes, handler);
    ctx.pipeline().replace(this, "stoq-link", link);
    link.onOpenRequest(frame.retain());
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
    if (requests != null) {
      requests.remove(request.correlationId, request);
    }
    Frame reply;
    if (failure == null && answer != null) {
      reply = Frame.response(request.correlationId, answer);
    } else {
      reply = errorReply(request.correlationId, failure);
    }
    send(ctx, reply, inputClosed && inFlight == 0);
    updateReadInterest(ctx);
  }

  /** A REQUEST with FLAG_DOWNLOAD (opened; released here). */
  private void startDownload(ChannelHandlerContext ctx, Frame opened, StoqSession session) {
    long correlationId = opened.correlationId();
    if (upload != null || download != null || inFlight > 0) {
      opened.release();
      send(ctx, Frame.error(correlationId, StoqError.STREAM_REFUSED,
          "a download needs a stream of its own"), false);
      return;
    }
    StoqDownloadSource source;
    try {
      source = handler.openDownload(session.peer(), opened.payload());
    } catch (Throwable t) {
      send(ctx, errorReply(correlationId, t), true);
      return;
    } finally {
      opened.release();
    }
    if (source == null) {
      send(ctx, Frame.error(correlationId, StoqError.STREAM_REFUSED,
          "this server offers no streamed downloads"), true);
      return;
    }
    Download started = new Download(correlationId, source);
    download = started;
    inFlight++;
    restartProgress(ctx, started);
    pumpDownload(ctx);
    updateReadInterest(ctx);
  }

  /** Pulls the next chunk while the stream is writable and no pull is pending. */
  private void pumpDownload(ChannelHandlerContext ctx) {
    if (pullingDownload) {
      return; // the loop below picks up where a synchronous completion left off
    }
    pullingDownload = true;
    try {
      Download current;
      while ((current = download) != null
          && !current.finished
          && !current.busy
          && !outputClosed
          && ctx.channel().isWritable()) {
        current.busy = true;
        CompletionStage<ByteBuf> stage;
        try {
          stage = current.source.next(maxDownloadChunk());
          if (stage == null) {
            stage =
                CompletableFuture.failedStage(new NullPointerException("source returned null"));
          }
        } catch (Throwable t) {
          stage = CompletableFuture.failedStage(t);
        }
        Download owner = current;
        stage.whenComplete(
            (chunk, failure) -> {
              EventExecutor executor = ctx.executor();
              if (executor.inEventLoop()) {
                chunkReady(ctx, owner, chunk, failure);
              } else {
                try {
                  executor.execute(() -> chunkReady(ctx, owner, chunk, failure));
                } catch (RejectedExecutionException e) {
                  ReferenceCountUtil.release(chunk); // server shutting down
                }
              }
            });
      }
    } finally {
      pullingDownload = false;
    }
  }

  private int maxDownloadChunk() {
    StoqSession session = connection.session();
    return maxFrameBytes - FrameCodec.MIN_FRAME_BYTES - (session == null ? 0 : session.overhead());
  }

  private void chunkReady(
      ChannelHandlerContext ctx, Download owner, ByteBuf chunk, Throwable failure) {
    owner.busy = false;
    if (owner.finished) {
      ReferenceCountUtil.release(chunk); // cancelled or failed meanwhile
      return;
    }
    if (failure != null) {
      failDownload(ctx, owner, failure);
      return;
    }
    if (chunk == null) {
      owner.finished = true;
      owner.progress.cancel(false);
      inFlight--;
      send(ctx, new Frame(FrameType.STREAM_END, Frame.NO_FLAGS, owner.correlationId,
          Unpooled.EMPTY_BUFFER), true);
      updateReadInterest(ctx);
      return;
    }
    int max = maxDownloadChunk();
    if (chunk.readableBytes() > max) {
      int size = chunk.readableBytes();
      chunk.release();
      failDownload(ctx, owner, new StoqException(StoqError.FRAME_TOO_LARGE,
          "download chunk of " + size + " bytes exceeds the maximum of " + max));
      return;
    }
    send(ctx, new Frame(FrameType.STREAM_DATA, Frame.NO_FLAGS, owner.correlationId, chunk), false);
    restartProgress(ctx, owner);
    pumpDownload(ctx);
  }

  private void restartProgress(ChannelHandlerContext ctx, Download owner) {
    if (owner.progress != null) {
      owner.progress.cancel(false);
    }
    owner.progress =
        ctx.executor()
            .schedule(
                () ->
                    failDownload(ctx, owner, new StoqException(StoqError.TIMEOUT,
                        "download made no progress within " + requestTimeout.toMillis() + " ms")),
                requestTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  /** Ends a download without STREAM_END: tells the source, answers ERROR with FIN. */
  private void failDownload(ChannelHandlerContext ctx, Download current, Throwable failure) {
    if (current.finished) {
      return;
    }
    current.finished = true;
    inFlight--;
    if (current.progress != null) {
      current.progress.cancel(false);
    }
    Throwable cause = unwrap(failure);
    StoqException reason =
        cause instanceof StoqException stoq
            ? stoq
            : new StoqException(StoqError.INTERNAL, INTERNAL_MESSAGE, cause);
    try {
      current.source.abort(reason);
    } catch (Throwable t) {
      log.warn("STOQ download source failed in abort", t);
    }
    send(ctx, errorReply(current.correlationId, failure), true);
    updateReadInterest(ctx);
  }

  /** A CANCEL frame: see the class comment. */
  private void onCancel(ChannelHandlerContext ctx, Frame frame, StoqSession session) {
    try {
      session.open(ctx.alloc(), frame.retain(), streamId(ctx), receivedSealed++).release();
    } catch (StoqException sealFailed) {
      closeStreamWith(ctx, Frame.error(frame.correlationId(), sealFailed.error(),
          sealFailed.getMessage()));
      return;
    }
    long correlationId = frame.correlationId();
    StoqException cancelled = new StoqException(StoqError.CANCELLED, "cancelled by the client");
    Download currentDownload = download;
    if (currentDownload != null && currentDownload.correlationId == correlationId) {
      failDownload(ctx, currentDownload, cancelled);
      return;
    }
    Upload currentUpload = upload;
    if (currentUpload != null && currentUpload.correlationId == correlationId) {
      failUpload(ctx, currentUpload, cancelled);
      return;
    }
    InFlight request = requests == null ? null : requests.remove(correlationId);
    if (request == null || request.done) {
      return; // already answered: the CANCEL crossed the answer
    }
    request.done = true;
    request.timeout.cancel(false);
    inFlight--;
    cancelStage(request.stage);
    send(ctx, Frame.error(correlationId, StoqError.CANCELLED, "cancelled by the client"),
        inputClosed && inFlight == 0);
    updateReadInterest(ctx);
  }

  /** Lets a handler that honours cancellation stop; its late result is dropped either way. */
  private static void cancelStage(CompletionStage<?> stage) {
    if (stage == null) {
      return;
    }
    try {
      stage.toCompletableFuture().cancel(false);
    } catch (UnsupportedOperationException notCancellable) {
      // A stage without a CompletableFuture view: it runs to its end and is dropped then.
    }
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
    // A download keeps reading while the stream is not writable, so its CANCEL is seen at once;
    // anything else on that stream ends the download, so nothing piles up behind it.
    boolean downloading = download != null && !download.finished;
    boolean wanted =
        inFlight < MAX_IN_FLIGHT_PER_STREAM
            && (ctx.channel().isWritable() || downloading)
            && uploadIdle;
    if (config.isAutoRead() != wanted) {
      config.setAutoRead(wanted);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateReadInterest(ctx);
    pumpDownload(ctx);
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
    Download currentDownload = download;
    if (currentDownload != null) {
      failDownload(ctx, currentDownload,
          new StoqException(StoqError.UNAVAILABLE, "stream closed before the download ended"));
    }
    if (requests != null && !requests.isEmpty()) {
      java.util.List<InFlight> abandoned = new java.util.ArrayList<>(requests.values());
      requests.clear();
      for (InFlight request : abandoned) {
        if (!request.done) {
          request.done = true;
          request.timeout.cancel(false);
          inFlight--;
          cancelStage(request.stage);
        }
      }
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
