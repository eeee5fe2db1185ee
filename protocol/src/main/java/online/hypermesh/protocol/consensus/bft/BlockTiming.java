package online.hypermesh.protocol.consensus.bft;

import java.util.Objects;

/**
 * How each block's {@link BlockTime} follows its parent's, fixed at genesis (part of the genesis
 * block id, so validators with different rules are on different chains).
 *
 * <p>The rule: the leader advances its parent's tick by exactly {@code ticksPerBlock} hashes and
 * stamps the block with its clock, but strictly after the parent's timestamp. A fixed step (not
 * one proportional to elapsed time) keeps the check deterministic and its cost fixed: a voter
 * recomputes the {@code ticksPerBlock} hashes, nothing it could be made to repeat without bound.
 * Each validator, before it votes, refuses a block whose tick is not its parent's advanced by
 * exactly that many hashes, whose timestamp is not after its parent's, or whose timestamp is more
 * than {@code maxClockSkewMillis} away from its own clock in either direction (so no leader can
 * date a block into the future or far into the past).
 *
 * @param genesis the time of the implicit height-0 block (tick 0 and the genesis time)
 * @param ticksPerBlock hashes per block, 1..{@link #MAX_TICKS_PER_BLOCK}
 * @param maxClockSkewMillis how far a block's timestamp may be from a voter's clock, >= 0
 */
public record BlockTiming(BlockTime genesis, long ticksPerBlock, long maxClockSkewMillis) {

  /** A million SHA-256 steps is well under a second: the cost of checking one proposal. */
  public static final long MAX_TICKS_PER_BLOCK = 1_000_000;

  public BlockTiming {
    Objects.requireNonNull(genesis, "genesis");
    if (genesis.tickCount() != 0) {
      throw new IllegalArgumentException("the genesis tick count is 0, not " + genesis.tickCount());
    }
    if (ticksPerBlock < 1 || ticksPerBlock > MAX_TICKS_PER_BLOCK) {
      throw new IllegalArgumentException("ticksPerBlock must be 1.." + MAX_TICKS_PER_BLOCK
          + ", not " + ticksPerBlock);
    }
    if (maxClockSkewMillis < 0) {
      throw new IllegalArgumentException("maxClockSkewMillis must be >= 0, not "
          + maxClockSkewMillis);
    }
  }

  /** What an honest leader stamps on a child of {@code parent} at {@code nowMillis}. */
  public BlockTime next(BlockTime parent, long nowMillis) {
    return parent.advance(ticksPerBlock, Math.max(nowMillis, parent.timestampMillis() + 1));
  }

  /**
   * Whether {@code child} follows {@code parent} by the rule: tick count and hash, timestamp after
   * the parent's. Deterministic; what a committed chain must satisfy.
   */
  public Verdict follows(BlockTime parent, BlockTime child) {
    long expected = parent.tickCount() + ticksPerBlock;
    if (child.tickCount() != expected) {
      return Verdict.reject("block tick " + child.tickCount() + " is not its parent's tick "
          + parent.tickCount() + " + " + ticksPerBlock);
    }
    if (child.timestampMillis() <= parent.timestampMillis()) {
      return Verdict.reject("block time " + child.timestampMillis()
          + " is not after its parent's " + parent.timestampMillis());
    }
    if (!BlockTime.advance(parent.tickHash(), ticksPerBlock).equals(child.tickHash())) {
      return Verdict.reject("block tick hash is not " + ticksPerBlock
          + " hashes after its parent's tick " + parent.tickCount());
    }
    return Verdict.accept();
  }

  /** Whether a block stamped {@code timestampMillis} is within the skew of the clock. */
  public Verdict nearClock(long timestampMillis, long nowMillis) {
    long drift = timestampMillis - nowMillis;
    if (Math.abs(drift) > maxClockSkewMillis) {
      return Verdict.reject("block time " + timestampMillis + " is " + Math.abs(drift) + " ms "
          + (drift > 0 ? "ahead of" : "behind") + " this validator's clock " + nowMillis
          + ", allowed skew " + maxClockSkewMillis + " ms");
    }
    return Verdict.accept();
  }

  /** {@link #follows} and {@link #nearClock}: what a voter checks before voting. */
  public Verdict check(BlockTime parent, BlockTime child, long nowMillis) {
    Verdict v = nearClock(child.timestampMillis(), nowMillis);
    return v.rejected() ? v : follows(parent, child);
  }

  void encode(WireWriter w) {
    genesis.encode(w);
    w.i64(ticksPerBlock).i64(maxClockSkewMillis);
  }
}
