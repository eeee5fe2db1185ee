package online.hypermesh.protocol.hypermesh;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import online.hypermesh.protocol.consensus.chain.AppliedTransaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;

/**
 * The asset layer's rules over the committed chain: a deterministic function of the committed
 * ASSET_REGISTRATION transactions fed in chain order ({@link AppliedTransaction}s, which
 * ChainState returns only after checking the commit certificate). The first committed
 * registration of an asset id wins; a later one, a payload that is not a registration, or a
 * registration that breaks {@link AssetValidation} is refused with its reason. Every node that
 * applies the same chain reaches the same outcomes: nothing here reads a clock (the asset's
 * registration time is the transaction's timestamp) or anything but the chain.
 *
 * <p>Validators do not check these rules before voting: their committed state lags the chain by
 * a block or two and two registrations of one id can sit in the same or in pipelined blocks, so
 * only the order of application can decide between them. A refused registration is therefore
 * committed (it paid its proofs) and refused here, identically everywhere.
 *
 * <p>State: every registered id (it is the layer's state) and the outcomes of the last
 * {@code retainedOutcomes} registrations, for the node that submitted them. Not thread-safe: the
 * chain keeper applies under the chain state's monitor, and readers take the same monitor.
 */
public final class AssetRules {

  /** What one committed ASSET_REGISTRATION did. */
  public sealed interface Outcome permits Registered, Refused {
    String transactionId();

    long height();
  }

  /** The asset is registered by this transaction at this chain position. */
  public record Registered(Asset asset, long height, int index, String transactionId)
      implements Outcome {}

  /** The transaction is committed but registers nothing. */
  public record Refused(String transactionId, long height, AssetResponse.Reason reason,
      String message) implements Outcome {}

  private final int retainedOutcomes;
  private final Map<String, Registered> byAsset = new HashMap<>();
  private final LinkedHashMap<String, Outcome> recent = new LinkedHashMap<>();
  private long applied;

  public AssetRules(int retainedOutcomes) {
    if (retainedOutcomes < 1) {
      throw new IllegalArgumentException("retainedOutcomes must be positive");
    }
    this.retainedOutcomes = retainedOutcomes;
  }

  /**
   * Applies one committed transaction; empty for kinds other than ASSET_REGISTRATION. The caller
   * feeds each transaction once, in chain order (ChainState skips a transaction committed twice).
   */
  public Optional<Outcome> apply(AppliedTransaction tx) {
    if (tx.transaction().kind() != TransactionKind.ASSET_REGISTRATION) {
      return Optional.empty();
    }
    Outcome outcome = decide(tx);
    if (outcome instanceof Registered registered) {
      byAsset.put(registered.asset().assetId(), registered);
    }
    recent.put(outcome.transactionId(), outcome);
    while (recent.size() > retainedOutcomes) {
      recent.remove(recent.keySet().iterator().next());
    }
    applied++;
    return Optional.of(outcome);
  }

  private Outcome decide(AppliedTransaction tx) {
    String id = tx.id().hex();
    var decoded = AssetRegistrationCodec.decode(tx.transaction().payload());
    if (decoded instanceof AssetRegistrationCodec.Malformed malformed) {
      return new Refused(id, tx.height(), AssetResponse.Reason.INVALID,
          "transaction " + id + " at height " + tx.height()
              + " is not an asset registration: " + malformed.reason());
    }
    AssetRegistration registration = ((AssetRegistrationCodec.Valid) decoded).registration();
    AssetValidation.Result result =
        AssetValidation.validate(registration.request(), tx.transaction().timestampMillis());
    if (!result.valid()) {
      return new Refused(id, tx.height(), AssetResponse.Reason.INVALID,
          "transaction " + id + " at height " + tx.height() + " registers nothing: "
              + result.problem());
    }
    Registered first = byAsset.get(registration.assetId());
    if (first != null) {
      return new Refused(id, tx.height(), AssetResponse.Reason.DUPLICATE, duplicate(first));
    }
    return new Registered(result.asset(), tx.height(), tx.index(), id);
  }

  /** The reason a registration of an already registered id is refused, naming the first one. */
  public static String duplicate(Registered first) {
    return "asset id " + first.asset().assetId() + " is already registered (transaction "
        + first.transactionId() + " at height " + first.height() + ")";
  }

  /** The committed registration of {@code assetId}, if any. */
  public Optional<Registered> registered(String assetId) {
    return Optional.ofNullable(byAsset.get(assetId));
  }

  /** The outcome of a recent committed registration by transaction id (lowercase hex). */
  public Optional<Outcome> outcomeOf(String transactionId) {
    return Optional.ofNullable(recent.get(transactionId));
  }

  /** Registered asset ids. */
  public int size() {
    return byAsset.size();
  }

  /** ASSET_REGISTRATION transactions applied (registered or refused). */
  public long applied() {
    return applied;
  }
}
