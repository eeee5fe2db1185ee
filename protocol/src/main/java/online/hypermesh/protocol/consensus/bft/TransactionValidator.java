package online.hypermesh.protocol.consensus.bft;

/**
 * The application's check of a transaction (the four proofs), called by every validator before it
 * votes for a block and by a leader before it proposes one. Must be deterministic for a given
 * committed state and context, and must not throw: refusals are {@link Verdict#reject}.
 */
@FunctionalInterface
public interface TransactionValidator {

  Verdict validate(Transaction transaction, BlockContext context);

  /** Where the transaction would land: the proofs of time and space depend on it. */
  record BlockContext(long round, long height, Digest parentId, int proposer) {}
}
