package online.hypermesh.protocol.consensus.bft;

/**
 * Tells {@link BftCore} whether a block ends its epoch: it holds a validator-set change valid
 * under the set in force ({@link EpochChange#verify}). Must be deterministic in the block alone,
 * as every validator and every replaying node has to reach the same answer.
 */
@FunctionalInterface
public interface EpochBoundary {

  /** No block ends the epoch: the set never changes. */
  EpochBoundary NEVER = block -> false;

  boolean endsEpoch(Block block);
}
