package online.hypermesh.protocol.consensus.proof;

/**
 * Transaction ids already committed (or accepted into a pending block). Only ids whose tick is
 * still within the freshness window need to be kept: an older transaction is refused as stale
 * before this set matters, which is what keeps the set bounded.
 */
@FunctionalInterface
public interface ReplaySet {
  boolean contains(byte[] transactionId);
}
