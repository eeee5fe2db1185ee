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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A streamed upload on its own stream: STREAM_DATA frames of at most {@code chunkBytes} payload
 * bytes, then STREAM_END with FIN; completes with the server's RESPONSE (or ERROR).
 *
 * <p>Backpressure: the next chunk is read from the source only while the stream channel is
 * writable, i.e. while Netty's outbound buffer for the stream is below its high-water mark. The
 * channel becomes writable again ({@link #channelWritabilityChanged}) when QUIC has taken the
 * bytes, which in turn depends on the server's flow-control credit, which the server only gives
 * while its handler keeps up. So at most about one chunk waits in this client.
 *
 * <p>Reads block (a file, a pipe, a socket), so they run on {@code reader}, never on the event
 * loop: one read at a time, one chunk ahead of the stream (read while the previous one is being
 * sent, written as soon as the stream is writable), handed back to the event loop to be sealed and
 * written. So about two chunks wait in this client at most. A read that finishes after the
 * exchange failed releases its chunk.
 */
final class UploadExchange extends ClientExchange<byte[]> {

  private final long correlationId;
  private final InputStream source;
  private final int chunkBytes;
  private final int maxFrameBytes;
  private final StoqSession session;
  private final Executor reader;
  private ChannelHandlerContext ctx;
  /** A read is running on {@link #reader}; event loop only. */
  private boolean reading;
  /** The chunk read ahead, or null; event loop only. */
  private Ready ready;
  private long streamId;
  private long sentSealed;
  /** STREAM_END is out (or sending stopped): nothing more to read from the source. */
  private boolean ended;

  UploadExchange(
      long correlationId, InputStream source, int chunkBytes, int maxFrameBytes,
      StoqSession session, Executor reader) {
    this.correlationId = correlationId;
    this.source = source;
    this.chunkBytes = chunkBytes;
    this.maxFrameBytes = maxFrameBytes;
    this.session = session;
    this.reader = reader;
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

  /** A chunk read ahead, waiting for the stream to become writable. */
  private record Ready(ByteBuf chunk, boolean eof) {}

  /**
   * Event loop: sends the chunk read ahead if the stream can take it, and keeps one read running
   * ahead of the stream, so the reader's latency stays off the critical path while at most one
   * chunk waits here beyond what the stream holds.
   */
  private void pump() {
    if (ended || isDone() || !ctx.channel().isActive()) {
      return;
    }
    Ready next = ready;
    if (next != null && ctx.channel().isWritable()) {
      ready = null;
      if (next.chunk().isReadable()) {
        if (!send(new Frame(FrameType.STREAM_DATA, Frame.NO_FLAGS, correlationId, next.chunk()),
            false)) {
          return;
        }
      } else {
        next.chunk().release();
      }
      if (next.eof()) {
        ended = true;
        send(
            new Frame(FrameType.STREAM_END, Frame.NO_FLAGS, correlationId,
                io.netty.buffer.Unpooled.EMPTY_BUFFER),
            true);
        return;
      }
    }
    if (ready == null && !reading && !isDone()) {
      reading = true;
      try {
        reader.execute(this::readChunk);
      } catch (RejectedExecutionException e) {
        reading = false;
        ended = true;
        fail(new StoqException(StoqError.UNAVAILABLE,
            "the upload's reader refused the read: " + e));
      }
    }
  }

  /** On the reader: fills one chunk (or hits the end) and hands it to the event loop. */
  private void readChunk() {
    ByteBuf chunk = ctx.alloc().heapBuffer(chunkBytes);
    boolean eof = false;
    Exception failure = null;
    try {
      while (chunk.readableBytes() < chunkBytes) {
        if (chunk.writeBytes(source, chunkBytes - chunk.readableBytes()) < 0) {
          eof = true;
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    boolean atEnd = eof;
    Exception readFailure = failure;
    try {
      ctx.executor().execute(() -> chunkRead(chunk, atEnd, readFailure));
    } catch (RejectedExecutionException e) {
      chunk.release(); // client closed meanwhile
    }
  }

  /** Back on the event loop: the chunk waits in {@link #ready} until the stream can take it. */
  private void chunkRead(ByteBuf chunk, boolean eof, Exception failure) {
    reading = false;
    if (failure != null) {
      chunk.release();
      ended = true;
      fail(new StoqException(
          StoqError.UNAVAILABLE, "cannot read the upload source: " + failure, failure));
      return;
    }
    if (ended || isDone() || !ctx.channel().isActive()) {
      chunk.release();
      return;
    }
    ready = new Ready(chunk, eof);
    pump();
  }

  /** Whatever ended the exchange, a chunk still read ahead is released with the stream. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Ready pending = ready;
    ready = null;
    if (pending != null) {
      pending.chunk().release();
    }
    super.channelInactive(ctx);
  }

  /** Releases the chunk read ahead, then resets the stream as any failed exchange does. */
  @Override
  void abandon() {
    Ready pending = ready;
    ready = null;
    if (pending != null) {
      pending.chunk().release();
    }
    super.abandon();
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
  void onResponse(byte[] payload) {
    succeed(payload);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readAnswer(ctx, msg, correlationId, session, streamId);
  }
}
