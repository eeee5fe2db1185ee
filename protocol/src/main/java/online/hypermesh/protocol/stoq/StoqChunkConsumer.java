package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Takes the chunks of a streamed download ({@link StoqClient#download}) on the client, in order.
 *
 * <p>Called on the client's event loop: must not block (hand the chunk to another thread and
 * return a stage). The client stops reading the stream until the returned stage completes, so
 * QUIC flow control holds the server back while the consumer is busy. The chunk (the opened
 * STREAM_DATA payload) stays valid until then and is released by the client; never release it
 * yourself, {@code retain()} it only if you keep it longer. A failed stage (or a throw) cancels
 * the download, which then fails with that exception (a non-{@link StoqException} is wrapped as
 * INTERNAL).
 */
@FunctionalInterface
public interface StoqChunkConsumer {

  CompletionStage<Void> onChunk(ByteBuf chunk);
}
