package online.hypermesh.protocol.hypermesh;

import online.hypermesh.protocol.serialization.KryoMessage;

import java.util.List;

/** Replies of the asset layer; a refusal always says which rule was broken. */
public sealed interface AssetResponse extends KryoMessage {

  /**
   * @param height the block that committed the registration; -1 when the node runs no chain
   *     (hypermesh.consensus.enabled off: registered directly, see docs/ARCHITECTURE.md)
   * @param transactionId the ASSET_REGISTRATION transaction (hex), "" without a chain
   */
  record Registered(Asset asset, long height, String transactionId) implements AssetResponse {
    public Registered(Asset asset) {
      this(asset, -1, "");
    }
  }

  /** {@code height} and {@code transactionId} as in {@link Registered}. */
  record Found(Asset asset, long height, String transactionId) implements AssetResponse {
    public Found(Asset asset) {
      this(asset, -1, "");
    }
  }

  record Listed(String owner, List<Asset> assets) implements AssetResponse {
  }

  record Rejected(Reason reason, String message) implements AssetResponse {
  }

  enum Reason {
    INVALID,
    DUPLICATE,
    NOT_FOUND,
    UNAVAILABLE,
    /** The validators refused the registration's transaction: a proof failed (the message names it). */
    REFUSED,
    /** Submitted but not committed in time; the message names the transaction for `chain tx`. */
    TIMEOUT
  }
}
