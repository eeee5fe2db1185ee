package online.hypermesh.protocol.consensus.bft;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * A block's place in the validators' sequential hash chain (tick n+1 = SHA-256(tick n), so n
 * ticks take n hashes one after another) and the leader's timestamp. Transactions reference a
 * committed block's tick for PoTime; {@link BlockTiming} says how a block's time must follow its
 * parent's.
 */
public record BlockTime(long tickCount, Digest tickHash, long timestampMillis) {

  public BlockTime {
    Objects.requireNonNull(tickHash, "tickHash");
    if (tickCount < 0) {
      throw new IllegalArgumentException("negative tick count " + tickCount);
    }
    if (timestampMillis < 0) {
      throw new IllegalArgumentException("negative timestamp " + timestampMillis);
    }
  }

  /** The time {@code ticks} hashes later, stamped {@code timestampMillis}. */
  public BlockTime advance(long ticks, long timestampMillis) {
    return new BlockTime(Math.addExact(tickCount, ticks), advance(tickHash, ticks),
        timestampMillis);
  }

  static Digest advance(Digest tick, long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("negative steps " + steps);
    }
    MessageDigest sha = Digest.sha256();
    byte[] current = tick.raw();
    for (long i = 0; i < steps; i++) {
      current = sha.digest(current);
    }
    return steps == 0 ? tick : Digest.wrap(current);
  }

  void encode(WireWriter w) {
    w.i64(tickCount).digest(tickHash).i64(timestampMillis);
  }

  static BlockTime decode(WireReader r) {
    return new BlockTime(r.counter("tick count"), r.digest("tick hash"), r.counter("timestamp"));
  }
}
