package online.hypermesh.actors.consensus;

import com.typesafe.config.Config;
import online.hypermesh.protocol.consensus.bft.BftConfig;

/**
 * Reads the validator's tuning from HOCON (a block such as {@code hypermesh.consensus}):
 *
 * <pre>
 * base-timeout = 1s, max-backoff-exponent = 4, max-batch-transactions = 2000, max-batch-bytes = 3 MiB,
 * max-mempool = 100000, block-fetch-batch = 64, retained-committed-blocks = 1024,
 * recent-transaction-memory = 200000, max-future-rounds = 16, idle-proposal-delay = 250ms,
 * snapshot-every = 100
 * </pre>
 *
 * Every key is required: defaults live in the configuration files, not here.
 */
public final class ConsensusConfig {

  private ConsensusConfig() {}

  public static BftConfig bft(Config c) {
    return new BftConfig(
        c.getDuration("base-timeout").toMillis(),
        c.getInt("max-backoff-exponent"),
        c.getInt("max-batch-transactions"),
        (int) c.getBytes("max-batch-bytes").longValue(),
        c.getInt("max-mempool"),
        c.getInt("block-fetch-batch"),
        c.getInt("retained-committed-blocks"),
        c.getInt("recent-transaction-memory"),
        c.getInt("max-future-rounds"),
        c.getDuration("idle-proposal-delay").toMillis());
  }

  public static int snapshotEvery(Config c) {
    return c.getInt("snapshot-every");
  }
}
