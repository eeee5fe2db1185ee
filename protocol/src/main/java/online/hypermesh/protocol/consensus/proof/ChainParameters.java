package online.hypermesh.protocol.consensus.proof;

/**
 * The network's proof parameters, part of the chain's configuration (see package-info for what
 * each one means and why it is bounded). Validated here so a verifier never runs with a setting
 * that makes a check meaningless or unbounded.
 *
 * @param minStake bonded stake (minor units) an account needs to send a transaction
 * @param workDifficulty hashcash leading zero bits, 0..{@link #MAX_DIFFICULTY}
 * @param plotLeafBytes size of one plot leaf, {@link #MIN_LEAF_BYTES}..{@link #MAX_LEAF_BYTES}
 * @param minPlotLeaves smallest plot (in leaves) a node may register, 1..{@link #MAX_PLOT_LEAVES}
 * @param challengeCount leaves opened per transaction (k), 1..{@link #MAX_CHALLENGES}
 * @param freshnessTicks how far (in ticks) the referenced tick may lag the head, >= 0
 * @param timeWindowMillis how long after its block's time a transaction may be stamped, > 0
 * @param clockSkewMillis how far ahead of the validator's clock a timestamp may be, >= 0
 */
public record ChainParameters(
    long minStake,
    int workDifficulty,
    int plotLeafBytes,
    long minPlotLeaves,
    int challengeCount,
    long freshnessTicks,
    long timeWindowMillis,
    long clockSkewMillis) {

  /** 2^40 hashes is hours of one core: anything above would lock honest senders out. */
  public static final int MAX_DIFFICULTY = 40;
  public static final int MIN_LEAF_BYTES = 32;
  public static final int MAX_LEAF_BYTES = 4096;
  /** Bounds the Merkle path at 32 hashes. */
  public static final long MAX_PLOT_LEAVES = 1L << 32;
  /** Bounds the answer a verifier reads: 64 leaves with their paths. */
  public static final int MAX_CHALLENGES = 64;

  public ChainParameters {
    if (minStake < 0) {
      throw new IllegalArgumentException("minStake must be >= 0, not " + minStake);
    }
    if (workDifficulty < 0 || workDifficulty > MAX_DIFFICULTY) {
      throw new IllegalArgumentException(
          "workDifficulty must be within 0.." + MAX_DIFFICULTY + ", not " + workDifficulty);
    }
    if (plotLeafBytes < MIN_LEAF_BYTES || plotLeafBytes > MAX_LEAF_BYTES) {
      throw new IllegalArgumentException("plotLeafBytes must be within " + MIN_LEAF_BYTES + ".."
          + MAX_LEAF_BYTES + ", not " + plotLeafBytes);
    }
    if (minPlotLeaves < 1 || minPlotLeaves > MAX_PLOT_LEAVES) {
      throw new IllegalArgumentException(
          "minPlotLeaves must be within 1.." + MAX_PLOT_LEAVES + ", not " + minPlotLeaves);
    }
    if (challengeCount < 1 || challengeCount > MAX_CHALLENGES) {
      throw new IllegalArgumentException(
          "challengeCount must be within 1.." + MAX_CHALLENGES + ", not " + challengeCount);
    }
    if (freshnessTicks < 0) {
      throw new IllegalArgumentException("freshnessTicks must be >= 0, not " + freshnessTicks);
    }
    if (timeWindowMillis <= 0) {
      throw new IllegalArgumentException("timeWindowMillis must be > 0, not " + timeWindowMillis);
    }
    if (clockSkewMillis < 0) {
      throw new IllegalArgumentException("clockSkewMillis must be >= 0, not " + clockSkewMillis);
    }
  }
}
