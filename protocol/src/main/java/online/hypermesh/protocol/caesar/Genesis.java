package online.hypermesh.protocol.caesar;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Digest;

/**
 * The genesis allocation: liquid balances and bonded stakes by account id, the initial reward
 * pool, and the block the chain starts at. Its total is the genesis supply and must fit a long.
 */
public record Genesis(
    Map<Digest, Long> balances, Map<Digest, Long> bonded, long rewardPool, BlockTime start) {

  public Genesis {
    balances = Map.copyOf(balances);
    bonded = Map.copyOf(bonded);
    Objects.requireNonNull(start, "start");
    if (rewardPool < 0) {
      throw new IllegalArgumentException("reward pool must be >= 0, not " + rewardPool);
    }
    for (Map<Digest, Long> m : java.util.List.of(balances, bonded)) {
      for (Map.Entry<Digest, Long> e : m.entrySet()) {
        if (e.getValue() < 0) {
          throw new IllegalArgumentException("genesis amount for " + e.getKey() + " is negative");
        }
      }
    }
    supplyOf(balances, bonded, rewardPool);
  }

  /** The genesis supply; throws if it does not fit a long. */
  public long supply() {
    return supplyOf(balances, bonded, rewardPool);
  }

  private static long supplyOf(Map<Digest, Long> balances, Map<Digest, Long> bonded, long pool) {
    try {
      long total = pool;
      for (long v : new TreeMap<>(balances).values()) {
        total = Math.addExact(total, v);
      }
      for (long v : new TreeMap<>(bonded).values()) {
        total = Math.addExact(total, v);
      }
      return total;
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("genesis supply exceeds 2^63 - 1 minor units");
    }
  }
}
