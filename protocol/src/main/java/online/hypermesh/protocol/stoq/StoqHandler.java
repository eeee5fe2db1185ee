package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletionStage;

/**
 * What the node plugs into {@link StoqServer}: turns one REQUEST payload into a RESPONSE payload.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Called on the connection's Netty event loop: it must not block (hand work to an actor or
 *       executor and return a stage).
 *   <li>{@code payload} is a view of the receive buffer, valid only during the call. Read or copy
 *       it before returning ({@code ByteBufUtil.getBytes(payload)}); never release it; {@code
 *       retain()} it only if you also release it yourself.
 *   <li>Failing the stage (or throwing) with {@link StoqException} sends an ERROR frame with that
 *       code and message, so the message must be fit for the peer to read. Any other failure is
 *       logged and sent as INTERNAL with a generic message (internals do not leak to peers).
 *   <li>A stage that does not finish within {@link StoqSettings#requestTimeout()} is answered
 *       with TIMEOUT; its late result is dropped.
 * </ul>
 */
@FunctionalInterface
public interface StoqHandler {

  CompletionStage<byte[]> handle(ByteBuf payload);

  /**
   * What the server calls: the request with the peer the STOQ handshake authenticated (its
   * certificate, common name and role), for authorization. The default ignores the peer and calls
   * {@link #handle(ByteBuf)}, so handlers written before authentication keep working.
   */
  default CompletionStage<byte[]> handle(StoqPeer peer, ByteBuf payload) {
    return handle(payload);
  }

  /**
   * What the server actually calls: {@link #handle(StoqPeer, ByteBuf)} with the answer as a
   * buffer. Override it to answer without a {@code byte[]} (a pooled or direct buffer, a slice,
   * a {@code CompositeByteBuf}): the server takes ownership of the returned buffer, seals or
   * encodes it straight into the outgoing I/O buffer, and releases it exactly once, also when the
   * answer is dropped (timeout, stream gone). The default wraps the {@code byte[]} answer (no
   * copy).
   */
  default CompletionStage<ByteBuf> handleBuffer(StoqPeer peer, ByteBuf payload) {
    CompletionStage<byte[]> stage = handle(peer, payload);
    return stage == null
        ? null
        : stage.thenApply(bytes -> bytes == null ? null : Unpooled.wrappedBuffer(bytes));
  }

  /**
   * A streamed upload ({@link StoqClient#upload}) starts on a stream: return the handler for its
   * chunks, or null to refuse it with {@link StoqError#STREAM_REFUSED} (the default: no uploads).
   * Called on the event loop; throwing a {@link StoqException} refuses with that code.
   */
  default StoqStreamHandler openStream(StoqPeer peer) {
    return null;
  }

  /**
   * A REQUEST with {@link FrameCodec#FLAG_DOWNLOAD} ({@link StoqClient#download}): return the
   * source of the download's chunks, or null to refuse it with {@link StoqError#STREAM_REFUSED}
   * (the default: no downloads). {@code request} is valid only during the call, as for {@link
   * #handle(ByteBuf)}. Called on the event loop; throwing a {@link StoqException} refuses with that
   * code.
   */
  default StoqDownloadSource openDownload(StoqPeer peer, ByteBuf request) {
    return null;
  }

  /**
   * A link ({@link StoqLink}, {@link StoqClient#openLink}) is being opened: {@code open} is the
   * client's opening payload (valid only during the call). Return how to serve it, or null to
   * refuse with {@link StoqError#STREAM_REFUSED} (the default: no links); throwing a {@link
   * StoqException} refuses with that code and message, which the client sees. Called on the
   * event loop.
   */
  default StoqLinkHandler openLink(StoqPeer peer, ByteBuf open) {
    return null;
  }

  /** A peer-aware handler as a lambda: {@code StoqHandler.withPeer((peer, payload) -> ...)}. */
  static StoqHandler withPeer(PeerAware handler) {
    java.util.Objects.requireNonNull(handler, "handler");
    return new StoqHandler() {
      @Override
      public CompletionStage<byte[]> handle(ByteBuf payload) {
        return java.util.concurrent.CompletableFuture.failedFuture(
            new StoqException(StoqError.UNAUTHENTICATED, "this handler needs an authenticated peer"));
      }

      @Override
      public CompletionStage<byte[]> handle(StoqPeer peer, ByteBuf payload) {
        return handler.handle(peer, payload);
      }
    };
  }

  /** The peer-aware form of a handler, same contract as {@link StoqHandler}. */
  @FunctionalInterface
  interface PeerAware {
    CompletionStage<byte[]> handle(StoqPeer peer, ByteBuf payload);
  }
}
