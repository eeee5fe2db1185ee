package online.hypermesh.node.consensus;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import online.hypermesh.actors.hypermesh.AssetEntity;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.hypermesh.AssetRegistration;
import online.hypermesh.protocol.hypermesh.AssetRegistrationCodec;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetRules;
import online.hypermesh.protocol.hypermesh.AssetValidation;
import online.hypermesh.protocol.stoq.StoqPeer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asset registration through the chain, on the node that serves the client: checks the request
 * (the same {@link AssetValidation} the chain applies, and the id against the committed
 * registrations, for an early answer), has the node prove and submit an ASSET_REGISTRATION
 * transaction ({@link ChainSubmitter}: the node is the sender and gives the four proofs) and
 * answers once it is committed, with the block height and transaction id, or rejected. The
 * outcome is the chain's ({@link AssetRules}, applied by the keeper in chain order); before
 * answering, the node applies a registration to its entity itself (idempotent, as the appliers of
 * every validator node do the same), so a read right after the answer finds it.
 */
public final class ChainAssets {

  private static final Logger log = LoggerFactory.getLogger(ChainAssets.class);

  private final ActorSystem<?> system;
  private final Genesis genesis;
  private final ChainState state;
  private final AssetRules rules;
  private final ChainSubmitter submitter;
  private final Duration commitTimeout;
  private final Duration askTimeout;

  ChainAssets(ActorSystem<?> system, Genesis genesis, ChainState state, AssetRules rules,
      ChainSubmitter submitter, Duration commitTimeout, Duration askTimeout) {
    this.system = system;
    this.genesis = genesis;
    this.state = state;
    this.rules = rules;
    this.submitter = submitter;
    this.commitTimeout = commitTimeout;
    this.askTimeout = askTimeout;
  }

  public CompletionStage<AssetResponse> register(StoqPeer peer, AssetRequest.Register request) {
    AssetValidation.Result valid = AssetValidation.validate(request, Clock.systemUTC().millis());
    if (!valid.valid()) {
      return done(new AssetResponse.Rejected(AssetResponse.Reason.INVALID, valid.problem()));
    }
    if (submitter == null) {
      List<String> names = genesis.validators().stream().map(v -> v.name()).toList();
      return done(new AssetResponse.Rejected(AssetResponse.Reason.UNAVAILABLE,
          "this node is not a validator of chain " + genesis.chainId().hex()
              + " and cannot submit registrations; register through one of " + names));
    }
    Optional<AssetRules.Registered> existing;
    synchronized (state) {
      existing = rules.registered(request.assetId());
    }
    if (existing.isPresent()) {
      return done(new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE,
          AssetRules.duplicate(existing.get())));
    }
    String requester = peer == null || !peer.authenticated() ? "" : peer.commonName();
    byte[] payload;
    try {
      payload = AssetRegistrationCodec.encode(AssetRegistration.of(request, requester));
    } catch (IllegalArgumentException e) {
      return done(new AssetResponse.Rejected(AssetResponse.Reason.INVALID, e.getMessage()));
    }
    // The entities can hold assets this chain never saw: `hypermesh up` starts a fresh chain over
    // the same Cassandra, and consensus-off registrations are direct. They are not overwritten.
    return entity(request.assetId()).<AssetResponse>ask(AssetEntity.Get::new, askTimeout)
        .handle((found, failure) -> found)
        .thenCompose(found -> {
          if (found instanceof AssetResponse.Found f) {
            return done(new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE,
                "asset id " + request.assetId() + " is already registered" + (f.height() < 0
                    ? " (without a chain, or on an earlier one)"
                    : " (transaction " + f.transactionId() + " at height " + f.height() + ")")));
          }
          return submitter.submit(new ChainRequest.Submit(payload, "", commitTimeout.toMillis()),
              askTimeout).thenCompose(this::answer);
        });
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<AssetEntity.Command> entity(String id) {
    return ClusterSharding.get(system).entityRefFor(AssetEntity.TYPE_KEY, id);
  }

  private CompletionStage<AssetResponse> answer(ChainResponse response) {
    if (!(response instanceof ChainResponse.Submitted submitted)) {
      String why = response instanceof ChainResponse.Rejected r ? r.message() : String.valueOf(response);
      return done(new AssetResponse.Rejected(AssetResponse.Reason.UNAVAILABLE,
          "the registration was not submitted: " + why));
    }
    String id = submitted.transactionId();
    ChainResponse.TxStatus status = submitted.status();
    switch (status.state()) {
      case REJECTED -> {
        return done(new AssetResponse.Rejected(AssetResponse.Reason.REFUSED, "transaction " + id
            + " was rejected by the validators (" + status.proof() + "): " + status.reason()));
      }
      case COMMITTED -> {
        return committed(id, status.height());
      }
      default -> {
        return done(new AssetResponse.Rejected(AssetResponse.Reason.TIMEOUT, "transaction " + id
            + " was submitted but not committed within " + commitTimeout.toMillis()
            + " ms; it may still commit: hypermesh chain tx " + id));
      }
    }
  }

  private CompletionStage<AssetResponse> committed(String id, long height) {
    Optional<AssetRules.Outcome> outcome;
    synchronized (state) {
      outcome = rules.outcomeOf(id);
    }
    if (outcome.isEmpty()) {
      return done(new AssetResponse.Rejected(AssetResponse.Reason.UNAVAILABLE, "transaction " + id
          + " is committed at height " + height + " but its outcome is no longer remembered here;"
          + " ask with asset get"));
    }
    if (outcome.get() instanceof AssetRules.Refused refused) {
      return done(new AssetResponse.Rejected(refused.reason(), refused.message()));
    }
    AssetRules.Registered registered = (AssetRules.Registered) outcome.get();
    AssetResponse.Registered answer = new AssetResponse.Registered(registered.asset(),
        registered.height(), registered.transactionId());
    return entity(registered.asset().assetId())
        .<AssetResponse>ask(replyTo -> new AssetEntity.ApplyCommitted(registered.asset(),
            registered.height(), registered.index(), registered.transactionId(), replyTo), askTimeout)
        .handle((applied, failure) -> {
          if (applied instanceof AssetResponse.Rejected r && r.reason() == AssetResponse.Reason.DUPLICATE) {
            return new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE, "transaction " + id
                + " is committed at height " + height + " but not applied: " + r.message()
                + " by a registration this chain does not hold (an earlier chain or consensus off)");
          }
          if (failure != null || !(applied instanceof AssetResponse.Registered)) {
            // Committed is committed: the node's applier keeps delivering it until the entity has it.
            log.warn("asset {} committed by {} at height {}; its entity has not confirmed yet: {}",
                registered.asset().assetId(), id, height, failure != null ? failure.toString() : applied);
          }
          return answer;
        });
  }

  private static CompletionStage<AssetResponse> done(AssetResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
