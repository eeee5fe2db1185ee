package online.hypermesh.protocol.consensus.proof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The validators' sequential hash chain: tick 0 is {@code SHA-256(block("hypermesh/nkrypt/tick/v1")
 * || genesis seed)}, tick n+1 is {@code SHA-256(tick n)}. Each step needs the previous one, so n
 * ticks take n hashes one after the other, however many cores: a tick count is elapsed work that
 * cannot be produced ahead of time. Blocks record (tick count, tick hash); a block's tick must
 * follow its parent's ({@link #check}).
 */
public final class Ticks {

  private static final byte[] TAG = "hypermesh/nkrypt/tick/v1".getBytes(StandardCharsets.US_ASCII);

  private Ticks() {}

  public static byte[] genesis(byte[] seed) {
    MessageDigest sha = TransactionDigest.sha256();
    TransactionDigest.block(sha, TAG);
    sha.update(seed);
    return sha.digest();
  }

  public static byte[] next(byte[] tick) {
    return TransactionDigest.sha256().digest(tick);
  }

  /** The tick {@code steps} after {@code tick}. */
  public static byte[] advance(byte[] tick, long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("negative steps " + steps);
    }
    MessageDigest sha = TransactionDigest.sha256();
    byte[] current = tick;
    for (long i = 0; i < steps; i++) {
      current = sha.digest(current);
    }
    return current;
  }

  /**
   * Whether tick ({@code toCount}, {@code toHash}) follows ({@code fromCount}, {@code fromHash}):
   * accepted, or a TIME rejection. At most {@code maxSteps} hashes are computed, so a forged
   * count cannot make a verifier hash forever.
   */
  public static Verdict check(
      long fromCount, byte[] fromHash, long toCount, byte[] toHash, long maxSteps) {
    if (fromHash == null || toHash == null || fromHash.length != 32 || toHash.length != 32) {
      return Verdict.rejected(ProofKind.TIME, "tick hashes must be 32 bytes");
    }
    if (fromCount < 0 || toCount < fromCount) {
      return Verdict.rejected(ProofKind.TIME,
          "tick " + toCount + " does not come after tick " + fromCount);
    }
    long steps = toCount - fromCount;
    if (steps > maxSteps) {
      return Verdict.rejected(ProofKind.TIME,
          steps + " ticks between " + fromCount + " and " + toCount + " exceed the limit of "
              + maxSteps);
    }
    if (!Arrays.equals(advance(fromHash, steps), toHash)) {
      return Verdict.rejected(ProofKind.TIME,
          "tick hash " + toCount + " is not " + steps + " hashes after tick " + fromCount);
    }
    return Verdict.accepted();
  }
}
