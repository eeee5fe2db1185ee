package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
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
}
