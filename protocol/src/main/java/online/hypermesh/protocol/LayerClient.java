package online.hypermesh.protocol;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoCodecException;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqSettings;

/**
 * One layer's request/response API over one STOQ connection: requests of type {@code Q} encoded
 * with the public API's Kryo registry, replies checked to be a {@code R}. Each layer's client (e.g.
 * AssetClient, TrustChainClient) is this with its own types and a {@code connect} factory.
 */
public class LayerClient<Q, R> implements AutoCloseable {

  private static final KryoCodec CODEC = KryoCodec.of(new ProtocolRegistrar());

  private final StoqClient stoq;
  private final StoqSettings settings;
  private final Class<R> replyType;
  private final String layer;

  /** @param layer the layer's name for error messages, e.g. "asset" */
  protected LayerClient(StoqClient stoq, StoqSettings settings, Class<R> replyType, String layer) {
    this.stoq = stoq;
    this.settings = settings;
    this.replyType = replyType;
    this.layer = layer;
  }

  public CompletionStage<R> send(Q request) {
    return stoq.request(CODEC.encode(request)).thenApply(this::decode);
  }

  /** Blocking {@link #send}; transport failures surface as StoqException. */
  public R sendBlocking(Q request) {
    try {
      return send(request).toCompletableFuture()
          .get(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (TimeoutException e) {
      throw new StoqException(StoqError.TIMEOUT, "no reply within " + settings.requestTimeout().toSeconds() + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoqException(StoqError.UNAVAILABLE, "interrupted");
    }
  }

  private R decode(byte[] payload) {
    Object reply;
    try {
      reply = CODEC.decode(payload);
    } catch (KryoCodecException e) {
      throw new StoqException(StoqError.MALFORMED_FRAME, "undecodable reply: " + e.getMessage());
    }
    if (replyType.isInstance(reply)) {
      return replyType.cast(reply);
    }
    throw new StoqException(StoqError.MALFORMED_FRAME,
        "reply is a " + reply.getClass().getSimpleName() + ", not a " + layer + " response");
  }

  private static RuntimeException unwrap(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof StoqException stoqException) {
      return stoqException;
    }
    return new StoqException(StoqError.UNAVAILABLE, String.valueOf(cause.getMessage()));
  }

  @Override
  public void close() {
    stoq.close();
  }
}
