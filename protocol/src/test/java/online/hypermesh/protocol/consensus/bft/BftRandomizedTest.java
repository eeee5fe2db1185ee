package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Many short random schedules, each replayable from its seed: random drops, delays, partitions
 * and GST; at most one Byzantine validator of a random kind; sometimes an honest validator
 * crashing at its worst moment and restarting from its persisted state. Safety is checked after
 * every schedule, and progress once the network has settled.
 */
class BftRandomizedTest {

  private static final int SCHEDULES = 200;
  private static final long BASE_SEED = 0x5EED_0000L;

  @Test
  void manyRandomSchedulesStaySafeAndLive() {
    long commits = 0;
    int crashes = 0;
    for (int i = 0; i < SCHEDULES; i++) {
      Scenario s = schedule(BASE_SEED + i);
      if (s.crashes > 0) {
        crashes++;
      }
      s.run().assertSafe().assertLive(2);
      commits += s.minHonestHeight();
    }
    assertTrue(crashes > 30, "crash schedules " + crashes);
    assertTrue(commits > SCHEDULES * 10L, "commits over all schedules " + commits);
  }

  /** Schedule {@code seed}: everything about it follows from the seed. */
  static Scenario schedule(long seed) {
    ByzantineReplicas.Kind[] kinds = ByzantineReplicas.Kind.values();
    Random random = new Random(seed);
    long gst = 300 + random.nextInt(700);
    Scenario s = new Scenario(seed).network(Scenario.chaotic(random, gst, 4));
    s.settleMillis = 1000;
    s.runAfterSettle = 2500;
    s.invalidTransactions = random.nextBoolean();
    int byzantine = -1;
    if (random.nextInt(6) != 0) {
      byzantine = random.nextInt(4);
      s.byzantine(byzantine, kinds[random.nextInt(kinds.length)]);
    }
    if (random.nextInt(3) == 0) {
      int node = (byzantine + 1 + random.nextInt(3)) % 4;
      long at = 50 + random.nextInt((int) gst - 100);
      s.crashAndRestart(node, at, Math.min(gst, at + 50 + random.nextInt(250)));
    }
    return s;
  }
}
