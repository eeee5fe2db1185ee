package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Supplies one streamed download ({@link StoqClient#download}) on the server, pulled one chunk at
 * a time; made per download by {@link StoqHandler#openDownload}.
 *
 * <p>Contract (backpressure):
 *
 * <ul>
 *   <li>All methods are called on the connection's Netty event loop and must not block.
 *   <li>{@link #next} is called only after the previous stage completed and only while the stream
 *       can take more (its outbound buffer is below the high-water mark, which QUIC flow control
 *       keeps there while the client's consumer is busy). So the server holds at most one chunk
 *       being produced plus what the stream's send window allows, whatever the download's size.
 *   <li>The returned buffer (at most {@code maxBytes} readable bytes) becomes the server's, which
 *       releases it exactly once, also when the download is abandoned meanwhile. A stage
 *       completing with null ends the download (STREAM_END). A larger chunk fails the download
 *       with FRAME_TOO_LARGE.
 *   <li>A failed stage (or a throw) ends the download with an ERROR, as for {@link StoqHandler}:
 *       a {@link StoqException} with its code and message, anything else as INTERNAL.
 *   <li>The download must make progress: if no chunk goes out for {@link
 *       StoqSettings#requestTimeout()} (a slow source or a client that stopped reading), it fails
 *       with TIMEOUT.
 *   <li>{@link #abort} is called exactly once if the download ends without STREAM_END being sent:
 *       the client sent CANCEL or reset the stream, the connection closed, a stage failed or timed
 *       out. Release what you hold for it there.
 * </ul>
 */
public interface StoqDownloadSource {

  /** The next chunk of at most {@code maxBytes}, or null when the download is complete. */
  CompletionStage<ByteBuf> next(int maxBytes);

  /** The download ended without STREAM_END; see the class comment. The default does nothing. */
  default void abort(StoqException reason) {}
}
