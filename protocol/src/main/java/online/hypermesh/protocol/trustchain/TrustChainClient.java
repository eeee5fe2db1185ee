package online.hypermesh.protocol.trustchain;

import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoCodecException;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * TrustChain's API (CA and CT log) over one STOQ connection: what the CLI, tests and (later) client actors use.
 * Needs nothing but this module.
 */
public final class TrustChainClient implements AutoCloseable {

  private static final KryoCodec CODEC = KryoCodec.of(new ProtocolRegistrar());

  private final StoqClient stoq;
  private final StoqSettings settings;

  private TrustChainClient(StoqClient stoq, StoqSettings settings) {
    this.stoq = stoq;
    this.settings = settings;
  }

  /**
   * Connects and runs the STOQ handshake (blocking, up to the handshake timeout) as {@code identity}, accepting
   * only a server whose certificate names {@code expectedServerName}; fails with StoqException UNAUTHENTICATED,
   * HANDSHAKE_FAILED, UNAVAILABLE or TIMEOUT.
   */
  public static TrustChainClient connect(String host, int port, StoqSettings settings, StoqTls tls, StoqIdentity identity,
                                    String expectedServerName) {
    return new TrustChainClient(StoqClient.connectBlocking(host, port, settings, tls, identity, expectedServerName), settings);
  }

  public CompletionStage<TrustChainResponse> send(TrustChainRequest request) {
    return stoq.request(CODEC.encode(request)).thenApply(TrustChainClient::decode);
  }

  /** Blocking {@link #send}; transport failures surface as StoqException. */
  public TrustChainResponse sendBlocking(TrustChainRequest request) {
    try {
      return send(request).toCompletableFuture()
          .get(settings.requestTimeout().toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new StoqException(StoqError.TIMEOUT, "no reply within " + settings.requestTimeout().toSeconds() + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoqException(StoqError.UNAVAILABLE, "interrupted");
    }
  }

  private static TrustChainResponse decode(byte[] payload) {
    Object reply;
    try {
      reply = CODEC.decode(payload);
    } catch (KryoCodecException e) {
      throw new StoqException(StoqError.MALFORMED_FRAME, "undecodable reply: " + e.getMessage());
    }
    if (reply instanceof TrustChainResponse response) {
      return response;
    }
    throw new StoqException(StoqError.MALFORMED_FRAME, "reply is a " + reply.getClass().getSimpleName() + ", not an TrustChain response");
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
