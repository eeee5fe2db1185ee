package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * One end of a link: a long-lived bidirectional STOQ stream on which both ends send messages
 * (LINK frames, see {@link FrameType#LINK}), in order, each sealed with the connection's STOQ
 * keys. The client opens it with {@link StoqClient#openLink}; the server gets it in {@link
 * StoqHandler#openLink}. Thread-safe.
 *
 * <p>Backpressure: {@link #send} never blocks and never queues without bound. Messages taken but
 * not yet accepted by the QUIC stream (which QUIC flow control holds back when the peer reads
 * slowly) count against {@link #maxQueuedBytes()}; a message that would exceed it is refused
 * ({@code send} returns false) and the caller keeps it and retries later. Received messages are
 * read only after {@link #start}, and one at a time: the listener is called on the event loop
 * and the next frame is read after it returns.
 */
public interface StoqLink {

  /** The other end as the STOQ handshake authenticated it. */
  StoqPeer peer();

  /**
   * Starts delivering received messages to {@code listener} (once; until then the stream is not
   * read, so QUIC flow control holds the peer back).
   */
  void start(StoqLinkListener listener);

  /**
   * Queues one message. Always takes ownership of {@code message} (released when written or
   * refused).
   *
   * @return false if the link is closed, the message exceeds {@link #maxMessageBytes()}, or the
   *     queue is full: the message was not sent
   */
  boolean send(ByteBuf message);

  /** The largest message that fits one frame. */
  int maxMessageBytes();

  /** The bound of {@link #send}'s queue, in bytes. */
  long maxQueuedBytes();

  /** Ends our side (FIN after what is queued) and closes the link; idempotent. */
  void close(String reason);

  /** Completes with the reason once the link is closed (by either end, or the connection). */
  CompletionStage<String> closeFuture();
}
