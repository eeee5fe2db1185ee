package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Block timing for the tests: genesis at time 0, three ticks per block, an hour of allowed skew
 * (virtual clocks start at 0 and simulations run minutes; the skew check has its own tests).
 */
final class TestTiming {

  static final long TICKS_PER_BLOCK = 3;
  static final long SKEW_MILLIS = 3_600_000;

  private TestTiming() {}

  static BlockTiming timing(String name) {
    return new BlockTiming(new BlockTime(0,
        Digest.sha256(("tick-" + name).getBytes(StandardCharsets.UTF_8)), 0), TICKS_PER_BLOCK,
        SKEW_MILLIS);
  }

  static ValidatorSet set(String name, List<byte[]> publicKeys) {
    return new ValidatorSet(Digest.sha256(name.getBytes(StandardCharsets.UTF_8)), publicKeys,
        timing(name));
  }

  static ValidatorSet set(Digest chainId, List<byte[]> publicKeys) {
    return new ValidatorSet(chainId, publicKeys, timing(chainId.hex()));
  }

  /** The time of a child of genesis stamped {@code millis}. */
  static BlockTime first(ValidatorSet set, long millis) {
    return set.timing().next(set.timing().genesis(), millis);
  }
}
