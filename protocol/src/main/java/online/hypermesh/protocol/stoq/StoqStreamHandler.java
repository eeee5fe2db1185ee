package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Receives one streamed upload ({@link StoqClient#upload}) on the server, one chunk at a time;
 * made per upload by {@link StoqHandler#openStream(StoqPeer)}.
 *
 * <p>Contract (backpressure):
 *
 * <ul>
 *   <li>All methods are called on the connection's Netty event loop and must not block.
 *   <li>{@link #onChunk} is called for one chunk at a time, in order. The server stops reading
 *       the stream until the returned stage completes, so QUIC flow control holds the client back
 *       while a chunk is being processed: at most one chunk is in the handler, and only what the
 *       stream's receive window allows is buffered below it.
 *   <li>The chunk stays valid until the returned stage completes; the server releases it then
 *       (also on failure, timeout or when the upload is abandoned). Never release it yourself;
 *       {@code retain()} it only if you keep it longer, and then release that reference.
 *   <li>{@link #end} is called once after the last chunk; its answer goes to the client as the
 *       RESPONSE. A failed stage (or a throw) is answered as for {@link StoqHandler}: a {@link
 *       StoqException} with its code and message, anything else as INTERNAL.
 *   <li>Each stage must complete within {@link StoqSettings#requestTimeout()}, else the upload
 *       fails with TIMEOUT.
 *   <li>{@link #abort} is called exactly once if the upload ends without {@link #end}'s answer
 *       being sent: the client reset or abandoned the stream, the connection closed, a stage
 *       failed or timed out, or the frames broke the rules. Release what you hold for it there.
 * </ul>
 */
public interface StoqStreamHandler {

  /** One chunk (the opened STREAM_DATA payload, possibly empty). */
  CompletionStage<Void> onChunk(ByteBuf chunk);

  /** The upload is complete (STREAM_END): the RESPONSE payload. */
  CompletionStage<byte[]> end();

  /** The upload ended without a response; see the class comment. The default does nothing. */
  default void abort(StoqException reason) {}
}
