package online.hypermesh.actors.consensus;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A validator's own committed blocks, read back from its journal: what it sends a validator that
 * is still in an epoch that ended here and is further behind than the epoch's ending reaches.
 */
@FunctionalInterface
public interface ValidatorHistory {

  /** The {@link Validator.BlockCommitted} events at heights {@code from..to}, in height order. */
  CompletionStage<List<Validator.BlockCommitted>> committed(long from, long to);

  /** Blocks read and sent per answer (hypermesh.consensus.catch-up-blocks). */
  default int chunkBlocks() {
    return 64;
  }
}
