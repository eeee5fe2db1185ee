package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import org.junit.jupiter.api.Test;

class ConsensusConfigTest {

  private static final String BLOCK = """
      base-timeout = 1s
      max-backoff-exponent = 4
      max-batch-transactions = 2000
      max-batch-bytes = 3 MiB
      max-mempool = 100000
      block-fetch-batch = 64
      retained-committed-blocks = 1024
      recent-transaction-memory = 200000
      max-future-rounds = 16
      idle-proposal-delay = 250ms
      snapshot-every = 100
      """;

  @Test
  void readsEveryKey() {
    Config c = ConfigFactory.parseString(BLOCK);
    assertEquals(BftConfig.defaults(), ConsensusConfig.bft(c));
    assertEquals(100, ConsensusConfig.snapshotEvery(c));
  }

  @Test
  void aMissingKeyOrAnInconsistentValueIsAClearError() {
    Config missing = ConfigFactory.parseString(BLOCK.replace("max-mempool = 100000\n", ""));
    ConfigException e = assertThrows(ConfigException.Missing.class, () -> ConsensusConfig.bft(missing));
    assertTrue(e.getMessage().contains("max-mempool"), e.getMessage());
    Config idleTooLong = ConfigFactory.parseString(BLOCK.replace("250ms", "2s"));
    assertThrows(IllegalArgumentException.class, () -> ConsensusConfig.bft(idleTooLong));
  }
}
