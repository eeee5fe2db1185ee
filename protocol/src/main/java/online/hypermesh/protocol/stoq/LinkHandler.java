package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both ends of a link stream ({@link StoqLink}, wire rules in {@link FrameType#LINK}). Everything
 * but {@link #send} and {@link #close} runs on the stream's event loop.
 *
 * <p>Receiving: until {@link #start} the stream's auto-read is off, so at most what one read
 * already decoded waits in {@code early}; after it each message goes straight to the listener.
 */
final class LinkHandler extends ChannelInboundHandlerAdapter implements StoqLink {

  private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);

  private enum State { OPENING, OPEN, CLOSED }

  private final boolean client;
  private final StoqSession session;
  private final int maxFrameBytes;
  /** Client: fixed by the opener; server: set from the {@link StoqLinkHandler} on acceptance. */
  private volatile long maxQueuedBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  /** Client: the opening payload, then the pending open result. Server: the handler. */
  private final byte[] openPayload;
  private final CompletableFuture<StoqLink> opening;
  private final StoqHandler serverHandler;

  private ChannelHandlerContext ctx;
  private volatile State state = State.OPENING;
  private StoqLinkListener listener;
  private final ArrayDeque<Frame> early = new ArrayDeque<>();
  /** Sealed frames received / sent on this stream: the nonce counters (see StoqSession). */
  private long receivedSealed;
  private long sentSealed;

  private LinkHandler(boolean client, StoqSession session, int maxFrameBytes, long maxQueuedBytes,
      byte[] openPayload, CompletableFuture<StoqLink> opening, StoqHandler serverHandler) {
    this.client = client;
    this.session = session;
    this.maxFrameBytes = maxFrameBytes;
    this.maxQueuedBytes = maxQueuedBytes;
    this.openPayload = openPayload;
    this.opening = opening;
    this.serverHandler = serverHandler;
  }

  static LinkHandler client(StoqSession session, int maxFrameBytes, long maxQueuedBytes,
      byte[] openPayload, CompletableFuture<StoqLink> opening) {
    return new LinkHandler(true, session, maxFrameBytes, maxQueuedBytes, openPayload, opening, null);
  }

  /** The server's end; {@link #onOpenRequest} is called with the stream's first frame. */
  static LinkHandler server(StoqSession session, int maxFrameBytes, StoqHandler handler) {
    return new LinkHandler(false, session, maxFrameBytes, 0, null, null, handler);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    // Nothing is read until the link is started (or, on the client, accepted).
    ctx.channel().config().setAutoRead(false);
    if (client && ctx.channel().isActive()) {
      sendOpen();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (client && state == State.OPENING && receivedSealed == 0 && sentSealed == 0) {
      sendOpen();
    }
    ctx.fireChannelActive();
  }

  private void sendOpen() {
    if (sentSealed != 0) {
      return;
    }
    write(new Frame(FrameType.LINK, FrameCodec.FLAG_LINK_OPEN, 0, Unpooled.wrappedBuffer(openPayload)),
        false);
    ctx.read();
  }

  /** Server: the stream's first frame (a LINK with FLAG_LINK_OPEN, sealed); takes ownership. */
  void onOpenRequest(Frame frame) {
    Frame opened;
    try {
      opened = session.open(ctx.alloc(), frame, streamId(), receivedSealed++);
    } catch (StoqException e) {
      refuse(e);
      return;
    }
    StoqLinkHandler accepted;
    try {
      accepted = serverHandler.openLink(session.peer(), opened.payload());
      if (accepted == null) {
        throw new StoqException(StoqError.STREAM_REFUSED, "this server accepts no links");
      }
    } catch (StoqException e) {
      refuse(e);
      return;
    } catch (RuntimeException e) {
      log.warn("STOQ link handler failed on an opening from {}", session.peer().commonName(), e);
      refuse(new StoqException(StoqError.INTERNAL, "internal error"));
      return;
    } finally {
      opened.release();
    }
    maxQueuedBytes = accepted.maxQueuedBytes();
    state = State.OPEN;
    write(new Frame(FrameType.LINK, FrameCodec.FLAG_LINK_OPEN, 0, Unpooled.EMPTY_BUFFER), false);
    accepted.opened(this);
  }

  private void refuse(StoqException reason) {
    log.info("STOQ link from {} refused: {} {}", session.peer().commonName(), reason.error(),
        reason.getMessage());
    finish(Frame.error(0, reason.error(), reason.getMessage()));
    closed("refused: " + reason.getMessage());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Frame frame) {
      onFrame(frame);
    } else if (msg instanceof FrameDecodingException error) {
      failLink(new StoqException(error.error(), "bad frame on link: " + error.getMessage()));
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onFrame(Frame frame) {
    if (state == State.CLOSED) {
      frame.release();
      return;
    }
    Frame opened;
    try {
      opened = session.open(ctx.alloc(), frame, streamId(), receivedSealed++);
    } catch (StoqException e) {
      failLink(e);
      return;
    }
    if (opened.type() == FrameType.ERROR) {
      StoqException error;
      try {
        error = ErrorPayload.decode(opened.payload()).toException();
      } catch (StoqException bad) {
        error = bad;
      } finally {
        opened.release();
      }
      if (state == State.OPENING && opening != null) {
        opening.completeExceptionally(error);
      }
      closeQuietly("peer closed the link: " + error.error() + " " + error.getMessage());
      return;
    }
    boolean openFlag = (opened.flags() & FrameCodec.FLAG_LINK_OPEN) != 0;
    if (opened.type() != FrameType.LINK || openFlag != (client && state == State.OPENING)) {
      String what = opened.type() + (openFlag ? " (open)" : "");
      opened.release();
      failLink(new StoqException(StoqError.STREAM_REFUSED, what + " not expected on a "
          + (state == State.OPENING ? "link being opened" : "link")));
      return;
    }
    if (openFlag) {
      opened.release();
      state = State.OPEN;
      if (!opening.complete(this)) {
        close("the opener gave up");
      }
      return;
    }
    if (listener == null) {
      early.add(opened);
      return;
    }
    deliver(opened);
  }

  private void deliver(Frame opened) {
    try {
      listener.onMessage(opened.payload());
    } catch (RuntimeException e) {
      log.warn("STOQ link listener failed", e);
    } finally {
      opened.release();
    }
  }

  @Override
  public void start(StoqLinkListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    runOnLoop(() -> {
      if (this.listener != null) {
        throw new IllegalStateException("link already started");
      }
      this.listener = listener;
      while (!early.isEmpty()) {
        deliver(early.poll());
      }
      if (state == State.CLOSED) {
        listener.onClosed(closed.getNow("closed"));
        return;
      }
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    });
  }

  @Override
  public boolean send(ByteBuf message) {
    int size = message.readableBytes();
    if (state != State.OPEN || size > maxMessageBytes()) {
      message.release();
      return false;
    }
    long after = queuedBytes.addAndGet(size);
    if (after > maxQueuedBytes && after != size) {
      // Over the bound (one message larger than the bound still goes when nothing else waits).
      queuedBytes.addAndGet(-size);
      message.release();
      return false;
    }
    try {
      ctx.executor().execute(() -> {
        if (state != State.OPEN) {
          queuedBytes.addAndGet(-size);
          message.release();
          return;
        }
        ChannelFuture written =
            write(new Frame(FrameType.LINK, Frame.NO_FLAGS, 0, message), false);
        if (written == null) {
          queuedBytes.addAndGet(-size);
        } else {
          written.addListener(f -> queuedBytes.addAndGet(-size));
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      queuedBytes.addAndGet(-size);
      message.release();
      return false;
    }
  }

  @Override
  public int maxMessageBytes() {
    return maxFrameBytes - FrameCodec.MIN_FRAME_BYTES - session.overhead();
  }

  @Override
  public long maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /** Bytes taken by {@link #send} and not yet accepted by the stream (tests, metrics). */
  long queuedBytes() {
    return queuedBytes.get();
  }

  @Override
  public StoqPeer peer() {
    return session.peer();
  }

  @Override
  public void close(String reason) {
    runOnLoop(() -> {
      if (state != State.CLOSED) {
        finish(null);
        closed(reason);
      }
    });
  }

  @Override
  public CompletionStage<String> closeFuture() {
    return closed;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      closeQuietly("peer ended the link");
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    while (!early.isEmpty()) {
      early.poll().release();
    }
    if (opening != null) {
      opening.completeExceptionally(
          new StoqException(StoqError.UNAVAILABLE, "link stream closed before it was accepted"));
    }
    closed("stream closed");
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("STOQ link stream error: {}", cause.toString());
    closeQuietly("stream error: " + cause);
  }

  /** Ends our side too and closes, without an ERROR (the peer ended or failed first). */
  private void closeQuietly(String reason) {
    if (state != State.CLOSED) {
      finish(null);
      closed(reason);
    }
  }

  private void failLink(StoqException reason) {
    if (state == State.CLOSED) {
      return;
    }
    log.info("STOQ link with {} failed: {} {}", session.peer().commonName(), reason.error(),
        reason.getMessage());
    if (opening != null) {
      opening.completeExceptionally(reason);
    }
    finish(Frame.error(0, reason.error(), reason.getMessage()));
    closed(reason.error() + ": " + reason.getMessage());
  }

  /** Sends {@code last} (or nothing) with FIN and closes the stream once written. */
  private void finish(Frame last) {
    Channel channel = ctx.channel();
    State before = state;
    state = State.CLOSED;
    if (before == State.CLOSED || !channel.isActive()) {
      if (last != null) {
        last.release();
      }
      channel.close();
      return;
    }
    ChannelFuture written;
    if (last != null) {
      written = write(last, true);
    } else {
      written = ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
    }
    if (written == null) {
      channel.close();
    } else {
      written.addListener(f -> channel.close());
    }
  }

  private void closed(String reason) {
    state = State.CLOSED;
    if (closed.complete(reason) && listener != null) {
      try {
        listener.onClosed(reason);
      } catch (RuntimeException e) {
        log.warn("STOQ link listener failed on close", e);
      }
    }
  }

  /** Encodes (sealing) and writes one frame, releasing it; null if it could not be encoded. */
  private ChannelFuture write(Frame frame, boolean fin) {
    ByteBuf encoded;
    try {
      encoded = session.encode(ctx.alloc(), frame, streamId(), sentSealed++, maxFrameBytes);
    } catch (StoqException e) {
      log.warn("STOQ link frame not sent: {}", e.getMessage());
      return null;
    } finally {
      frame.release();
    }
    return ctx.writeAndFlush(new DefaultQuicStreamFrame(encoded, fin));
  }

  private long streamId() {
    return ((QuicStreamChannel) ctx.channel()).streamId();
  }

  private void runOnLoop(Runnable task) {
    if (ctx == null) {
      throw new IllegalStateException("link not attached to a stream");
    }
    if (ctx.executor().inEventLoop()) {
      task.run();
    } else {
      try {
        ctx.executor().execute(task);
      } catch (RejectedExecutionException e) {
        closed.complete("event loop stopped");
      }
    }
  }

  @Override
  public String toString() {
    return "StoqLink[" + (client ? "to " : "from ") + session.peer().commonName() + ", "
        + state + "]";
  }
}
