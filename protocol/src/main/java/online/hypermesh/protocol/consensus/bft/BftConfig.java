package online.hypermesh.protocol.consensus.bft;

/**
 * Tuning of {@link BftCore}; the host reads it from HOCON.
 *
 * @param baseTimeoutMillis round timeout right after progress
 * @param maxBackoffExponent the timeout doubles per round without a QC, at most this many times
 * @param maxBatchTransactions transactions per proposed block
 * @param maxBatchBytes bytes of transaction bodies per proposed block: a proposal, and a block
 *     response (at least one block, then blocks while the total stays within this bound), must fit
 *     the transport's largest message; a larger transaction is refused at submission, since no
 *     block could ever carry it
 * @param maxMempool transactions waiting in this validator's pool
 * @param blockFetchBatch blocks asked for, and served, per block request
 * @param retainedCommittedBlocks committed blocks kept in memory to serve lagging peers
 * @param recentTransactionMemory committed transaction ids remembered to refuse duplicates
 * @param maxFutureRounds how far ahead of its round a validator buffers votes and timeouts
 * @param idleProposalDelayMillis with nothing to order (empty pool, nothing uncommitted), a leader
 *     waits this long for transactions before proposing an empty block; 0 proposes at once.
 *     Keeps an idle chain from signing empty blocks as fast as the network allows. Must stay
 *     well under {@code baseTimeoutMillis}.
 */
public record BftConfig(
    long baseTimeoutMillis,
    int maxBackoffExponent,
    int maxBatchTransactions,
    int maxBatchBytes,
    int maxMempool,
    int blockFetchBatch,
    int retainedCommittedBlocks,
    int recentTransactionMemory,
    int maxFutureRounds,
    long idleProposalDelayMillis) {

  public BftConfig {
    if (baseTimeoutMillis < 1 || maxBackoffExponent < 0 || maxBackoffExponent > 20
        || maxBatchTransactions < 0 || maxBatchTransactions > Codec.MAX_TRANSACTIONS
        || maxBatchBytes < 1
        || blockFetchBatch < 1 || blockFetchBatch > Codec.MAX_BLOCKS_PER_RESPONSE
        || maxFutureRounds < 1 || retainedCommittedBlocks < 1 || recentTransactionMemory < 0
        || idleProposalDelayMillis < 0 || idleProposalDelayMillis >= baseTimeoutMillis) {
      throw new IllegalArgumentException("invalid BFT configuration " + this);
    }
  }

  public static BftConfig defaults() {
    return new BftConfig(1000, 4, 2000, 3 << 20, 100_000, 64, 1024, 200_000, 16, 250);
  }

  public BftConfig withBaseTimeoutMillis(long millis) {
    return new BftConfig(millis, maxBackoffExponent, maxBatchTransactions, maxBatchBytes, maxMempool,
        blockFetchBatch, retainedCommittedBlocks, recentTransactionMemory, maxFutureRounds,
        Math.min(idleProposalDelayMillis, millis / 2));
  }

  public BftConfig withMaxBatchTransactions(int max) {
    return new BftConfig(baseTimeoutMillis, maxBackoffExponent, max, maxBatchBytes, maxMempool,
        blockFetchBatch, retainedCommittedBlocks, recentTransactionMemory, maxFutureRounds,
        idleProposalDelayMillis);
  }
}
