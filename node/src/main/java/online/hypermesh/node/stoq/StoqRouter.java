package online.hypermesh.node.stoq;

import online.hypermesh.node.consensus.ChainAssets;
import online.hypermesh.node.consensus.ChainService;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import io.netty.buffer.ByteBuf;
import online.hypermesh.actors.hypermesh.AssetService;
import online.hypermesh.actors.trustchain.TrustChainService;
import online.hypermesh.node.trustchain.TrustChainNode;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoCodecException;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqHandler;
import online.hypermesh.protocol.stoq.StoqPeer;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import org.apache.pekko.pattern.AskTimeoutException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The node's edge: decodes a request payload, hands it to the layer that owns it, encodes the reply.
 * No layer logic here; a payload no layer owns is UNKNOWN_REQUEST_TYPE.
 */
public final class StoqRouter implements StoqHandler {

  private final KryoCodec codec;
  private final AssetService assets;
  private final TrustChainNode trustChain;
  private final ChainService chain;
  private final ChainAssets chainAssets;

  public StoqRouter(KryoCodec codec, AssetService assets) {
    this(codec, assets, null);
  }

  /** {@code trustChain} may be null: TrustChain requests are then UNKNOWN_REQUEST_TYPE. */
  public StoqRouter(KryoCodec codec, AssetService assets, TrustChainNode trustChain) {
    this(codec, assets, trustChain, null);
  }

  /** {@code chain} may be null (consensus off): chain requests then get an UNAVAILABLE rejection. */
  public StoqRouter(KryoCodec codec, AssetService assets, TrustChainNode trustChain, ChainService chain) {
    this(codec, assets, trustChain, chain, null);
  }

  /** {@code chainAssets} null (consensus off): registrations go straight to the entities (dev mode). */
  public StoqRouter(KryoCodec codec, AssetService assets, TrustChainNode trustChain, ChainService chain,
                    ChainAssets chainAssets) {
    this.codec = codec;
    this.assets = assets;
    this.trustChain = trustChain;
    this.chain = chain;
    this.chainAssets = chainAssets;
  }

  @Override
  public CompletionStage<byte[]> handle(ByteBuf payload) {
    return handle(null, payload);
  }

  /**
   * TrustChain authorizes by the peer: issuing and revoking need an authenticated peer whose role is one of
   * hypermesh.trustchain.writer-roles (a refusal is an ordinary NOT_AUTHORIZED answer); reads need nothing more
   * than the STOQ handshake the server already required.
   */
  @Override
  public CompletionStage<byte[]> handle(StoqPeer peer, ByteBuf payload) {
    Object request;
    try {
      request = codec.decode(payload.nioBuffer());
    } catch (KryoCodecException e) {
      return failed(new StoqException(StoqError.UNKNOWN_REQUEST_TYPE, "cannot decode request: " + e.getMessage()));
    }
    if (request instanceof TrustChainRequest trustRequest && trustChain != null) {
      if (TrustChainService.changesState(trustRequest)
          && (peer == null || !peer.authenticated() || !trustChain.writerRoles().contains(peer.role()))) {
        return CompletableFuture.completedFuture(codec.encode(new TrustChainResponse.Rejected(
            TrustChainResponse.Reason.NOT_AUTHORIZED, "issuing and revoking need a certificate with role "
                + trustChain.writerRoles() + "; the caller has " + (peer == null ? "none" : peer.role()))));
      }
      return trustChain.service().handle(trustRequest)
          .<byte[]>thenApply(codec::encode)
          .exceptionally(StoqRouter::translate);
    }
    if (request instanceof ChainRequest chainRequest) {
      return chain(peer, chainRequest);
    }
    if (request instanceof AssetRequest.Register register && chainAssets != null) {
      return chainAssets.register(peer, register)
          .<byte[]>thenApply(codec::encode)
          .exceptionally(StoqRouter::translate);
    }
    if (request instanceof AssetRequest assetRequest) {
      return assets.handle(assetRequest)
          .<byte[]>thenApply(codec::encode)
          .exceptionally(StoqRouter::translate);
    }
    return failed(new StoqException(StoqError.UNKNOWN_REQUEST_TYPE,
        "no layer serves " + request.getClass().getSimpleName() + " requests"));
  }

  /** Reads need the handshake only; submit makes the node sign, so the caller's role must be in submit-roles. */
  private CompletionStage<byte[]> chain(StoqPeer peer, ChainRequest request) {
    if (chain == null) {
      return CompletableFuture.completedFuture(codec.encode(new ChainResponse.Rejected(ChainResponse.Reason.UNAVAILABLE,
          "consensus is off on this node (hypermesh.consensus.enabled)")));
    }
    if (request instanceof ChainRequest.Submit
        && (peer == null || !peer.authenticated() || !chain.maySubmit(peer.role()))) {
      return CompletableFuture.completedFuture(codec.encode(new ChainResponse.Rejected(ChainResponse.Reason.NOT_AUTHORIZED,
          "submitting needs a certificate with role " + chain.submitRoles() + "; the caller has "
              + (peer == null ? "none" : peer.role()))));
    }
    return chain.handle(request)
        .<byte[]>thenApply(codec::encode)
        .exceptionally(StoqRouter::translate);
  }

  private static byte[] translate(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof StoqException stoq) {
      throw stoq;
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      throw new StoqException(StoqError.TIMEOUT, "the layer did not answer in time; the request may still complete");
    }
    if (cause instanceof IllegalArgumentException) {
      throw new StoqException(StoqError.BAD_REQUEST, cause.getMessage());
    }
    throw new StoqException(StoqError.INTERNAL, "internal error: " + cause.getClass().getSimpleName());
  }

  private static CompletionStage<byte[]> failed(StoqException e) {
    return CompletableFuture.failedFuture(e);
  }
}
