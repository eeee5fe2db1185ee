package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A streamed download on its own stream: one REQUEST with {@link FrameCodec#FLAG_DOWNLOAD} (our
 * side stays open so that a CANCEL can follow), then STREAM_DATA chunks handed to the {@link
 * StoqChunkConsumer} one at a time, then STREAM_END; completes with the number of payload bytes.
 *
 * <p>Backpressure: while a chunk is in the consumer (or frames are queued behind it) the stream's
 * auto-read is off, so quiche stops granting the server flow-control credit for the stream and the
 * server stops pulling chunks. Queued frames are bounded by what one read brings.
 *
 * <p>Abandoning (the caller cancels the stage, the consumer fails, a timeout): CANCEL with FIN,
 * then everything that still arrives is read and dropped until the server ends its side (it
 * answers the CANCEL at once), or the stream is closed after the request timeout.
 */
final class DownloadExchange extends ClientExchange<Long> {

  private final long correlationId;
  private final byte[] request;
  private final StoqChunkConsumer consumer;
  private final int maxFrameBytes;
  private final StoqSession session;
  private final Duration lingerTimeout;
  private final ArrayDeque<Frame> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private long streamId;
  private long sentSealed;
  private long receivedSealed;
  private long bytes;
  /** A chunk is in the consumer. */
  private boolean busy;
  /** The REQUEST went out, so the server may hold a download for us. */
  private boolean requested;
  /** The server ended the download (STREAM_END or ERROR received): no CANCEL needed. */
  private boolean serverDone;
  /** Our side is finished (FIN sent). */
  private boolean finSent;

  DownloadExchange(
      long correlationId, byte[] request, StoqChunkConsumer consumer, int maxFrameBytes,
      StoqSession session, Duration lingerTimeout) {
    this.correlationId = correlationId;
    this.request = request;
    this.consumer = consumer;
    this.maxFrameBytes = maxFrameBytes;
    this.session = session;
    this.lingerTimeout = lingerTimeout;
  }

  private boolean sealed() {
    return session != null && session.payloadProtection();
  }

  @Override
  ChannelHandler streamHandlers() {
    DownloadExchange exchange = this;
    return new ChannelInitializer<QuicStreamChannel>() {
      @Override
      protected void initChannel(QuicStreamChannel ch) {
        ch.pipeline()
            .addLast(new FrameDecoder(maxFrameBytes, false, sealed(), true), exchange);
      }
    };
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (isDone()) {
      ctx.close(); // timed out or cancelled while the stream was being opened
      return;
    }
    streamId = ((QuicStreamChannel) ctx.channel()).streamId();
    Frame frame =
        new Frame(FrameType.REQUEST, FrameCodec.FLAG_DOWNLOAD, correlationId,
            Unpooled.wrappedBuffer(request));
    requested = write(frame, false);
    ctx.fireChannelActive();
  }

  /** Encodes (seals) and writes a frame, releasing it; false when that failed the exchange. */
  private boolean write(Frame frame, boolean fin) {
    ByteBuf encoded;
    try {
      encoded =
          sealed()
              ? session.encode(ctx.alloc(), frame, streamId, sentSealed++, maxFrameBytes)
              : FrameCodec.encode(ctx.alloc(), frame, maxFrameBytes);
    } catch (StoqException e) {
      fail(e);
      return false;
    } finally {
      frame.release();
    }
    if (fin) {
      finSent = true;
    }
    ctx.writeAndFlush(new DefaultQuicStreamFrame(encoded, fin))
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                fail(new StoqException(
                    StoqError.UNAVAILABLE, "cannot send download request: " + f.cause(),
                    f.cause()));
              }
            });
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (isDone() || serverDone) {
        return; // abandoned: drained and dropped until the server ends its side
      }
      if (msg instanceof Frame frame) {
        Frame opened;
        try {
          opened =
              sealed()
                  ? session.open(ctx.alloc(), frame.retain(), streamId, receivedSealed++)
                  : frame.retain();
        } catch (StoqException sealFailed) {
          fail(new StoqException(sealFailed.error(), "download from server: "
              + sealFailed.getMessage()));
          return;
        }
        onFrame(opened);
      } else if (msg instanceof FrameDecodingException error) {
        fail(new StoqException(error.error(), "bad frame from server: " + error.getMessage()));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** An opened frame from the server (ours to release). */
  private void onFrame(Frame frame) {
    if (frame.correlationId() != correlationId) {
      long got = frame.correlationId();
      frame.release();
      fail(new StoqException(StoqError.MALFORMED_FRAME,
          "server answered correlation id " + got + ", expected " + correlationId));
      return;
    }
    switch (frame.type()) {
      case STREAM_DATA, STREAM_END -> {
        if (frame.type() == FrameType.STREAM_END) {
          serverDone = true;
        } else {
          restartTimer();
        }
        queued.add(frame);
        deliver();
      }
      case ERROR -> {
        serverDone = true;
        StoqException error;
        try {
          error = ErrorPayload.decode(frame.payload()).toException();
        } catch (StoqException malformed) {
          error = new StoqException(malformed.error(), "bad ERROR frame from server: "
              + malformed.getMessage());
        } finally {
          frame.release();
        }
        fail(error);
      }
      default -> {
        FrameType type = frame.type();
        frame.release();
        fail(new StoqException(StoqError.UNKNOWN_FRAME_TYPE,
            "server sent a " + type + " frame on a download"));
      }
    }
  }

  /** Hands queued chunks to the consumer one at a time; STREAM_END completes the download. */
  private void deliver() {
    while (!busy && !isDone() && !queued.isEmpty()) {
      Frame next = queued.poll();
      if (next.type() == FrameType.STREAM_END) {
        next.release();
        // Our side too, so the stream is closed on both ends.
        finSent = true;
        ctx.writeAndFlush(QuicStreamFrame.EMPTY_FIN).addListener(ChannelFutureListener.CLOSE);
        succeed(bytes);
        return;
      }
      busy = true;
      bytes += next.payload().readableBytes();
      CompletionStage<Void> stage;
      try {
        stage = consumer.onChunk(next.payload());
        if (stage == null) {
          stage =
              CompletableFuture.failedStage(new NullPointerException("consumer returned null"));
        }
      } catch (Throwable t) {
        stage = CompletableFuture.failedStage(t);
      }
      stage.whenComplete(
          (ignored, failure) -> {
            EventExecutor executor = ctx.executor();
            if (executor.inEventLoop()) {
              consumed(next, failure);
            } else {
              try {
                executor.execute(() -> consumed(next, failure));
              } catch (RejectedExecutionException e) {
                next.release(); // client closed
              }
            }
          });
    }
    updateAutoRead();
  }

  private void consumed(Frame chunk, Throwable failure) {
    chunk.release();
    busy = false;
    if (failure != null) {
      Throwable cause = failure;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      fail(cause instanceof StoqException stoq
          ? stoq
          : new StoqException(StoqError.INTERNAL, "download consumer failed: " + cause, cause));
      return;
    }
    restartTimer();
    deliver();
  }

  private void updateAutoRead() {
    if (ctx == null) {
      return;
    }
    boolean wanted = isDone() || (!busy && queued.isEmpty());
    if (ctx.channel().config().isAutoRead() != wanted) {
      ctx.channel().config().setAutoRead(wanted);
    }
  }

  /** Releases queued chunks and, if the server may still be producing, sends CANCEL with FIN. */
  @Override
  void abandon() {
    Frame frame;
    while ((frame = queued.poll()) != null) {
      frame.release();
    }
    if (ctx == null || !ctx.channel().isActive()) {
      return;
    }
    updateAutoRead(); // drain whatever is still on its way
    if (requested && !serverDone && !finSent) {
      write(new Frame(FrameType.CANCEL, Frame.NO_FLAGS, correlationId, Unpooled.EMPTY_BUFFER),
          true);
      ChannelHandlerContext context = ctx;
      context.executor().schedule(
          () -> {
            context.close();
          },
          lingerTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      if (isDone()) {
        ctx.close(); // the server answered our CANCEL (or the end was delivered)
      } else if (!serverDone) {
        fail(new StoqException(StoqError.UNAVAILABLE, "stream ended before STREAM_END"));
      }
      // else: STREAM_END is queued behind a busy consumer; deliver() finishes.
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Frame frame;
    while ((frame = queued.poll()) != null) {
      frame.release();
    }
    fail(new StoqException(StoqError.UNAVAILABLE, "stream closed before the download ended"));
    ctx.fireChannelInactive();
  }

  @Override
  void onResponse(byte[] payload) {
    throw new IllegalStateException("downloads read no RESPONSE");
  }
}
