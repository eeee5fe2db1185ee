package online.hypermesh.protocol.consensus.bft;

/**
 * Every rule that keeps an honest validator from helping commit two conflicting blocks, in one
 * place (Jolteon / DiemBFT-v4 2-chain safety rules). Pure functions of the persisted
 * {@link SafetyState}: {@link BftCore} asks before signing and persists the returned state before
 * the signed message leaves.
 */
public final class SafetyRules {

  private SafetyRules() {}

  /**
   * Vote for {@code block} only in a round above every round already voted or timed out in, and
   * only if the block extends the previous round's QC, or, after a timeout, a QC at least as high
   * as any QC the 2f+1 timeout signers held (so it cannot skip a block that may have committed).
   */
  public static Verdict canVote(SafetyState s, Block block, TimeoutCert tc) {
    if (block.round() <= s.lastVotedRound()) {
      return Verdict.reject("already voted or timed out in round " + s.lastVotedRound());
    }
    long qcRound = block.qc().round();
    if (block.round() == qcRound + 1) {
      return Verdict.accept();
    }
    if (tc != null && block.round() == tc.round() + 1 && qcRound >= tc.highestQcRound()) {
      return Verdict.accept();
    }
    return Verdict.reject("block of round " + block.round() + " on QC of round " + qcRound
        + " is justified neither by that QC nor by a TC of the previous round");
  }

  public static SafetyState afterVote(
      SafetyState s, Vote vote, QuorumCert blockQc, QuorumCert highQc, TimeoutCert highTc) {
    return new SafetyState(
        vote.round(),
        Math.max(s.lockedRound(), blockQc.round()),
        vote,
        s.lastTimeout(),
        higher(s.highQc(), highQc),
        higher(s.highTc(), highTc));
  }

  /** A leader proposes only in a round it has not yet voted or timed out in (it votes next). */
  public static Verdict canPropose(SafetyState s, long round) {
    return round > s.lastVotedRound()
        ? Verdict.accept()
        : Verdict.reject("already voted or timed out in round " + s.lastVotedRound());
  }

  /**
   * Time out of {@code round} only if not past it, with a QC not below the lock, and in a round
   * entered legitimately (right after that QC or after a TC).
   */
  public static Verdict canTimeout(SafetyState s, long round, QuorumCert highQc, TimeoutCert tc) {
    if (round < s.lastVotedRound()) {
      return Verdict.reject("round " + round + " is below last voted round " + s.lastVotedRound());
    }
    if (highQc.round() < s.lockedRound()) {
      return Verdict.reject("QC round " + highQc.round() + " below locked round " + s.lockedRound());
    }
    if (round != highQc.round() + 1 && (tc == null || round != tc.round() + 1)) {
      return Verdict.reject("round " + round + " not entered by a QC or TC of the round before");
    }
    return Verdict.accept();
  }

  /** After a timeout the validator no longer votes in that round. */
  public static SafetyState afterTimeout(SafetyState s, Timeout t, TimeoutCert highTc) {
    return new SafetyState(
        Math.max(s.lastVotedRound(), t.round()),
        Math.max(s.lockedRound(), t.highQc().round()),
        s.lastVote(),
        t,
        higher(s.highQc(), t.highQc()),
        higher(s.highTc(), highTc));
  }

  static QuorumCert higher(QuorumCert a, QuorumCert b) {
    return b != null && b.round() > a.round() ? b : a;
  }

  static TimeoutCert higher(TimeoutCert a, TimeoutCert b) {
    if (a == null) {
      return b;
    }
    return b != null && b.round() > a.round() ? b : a;
  }
}
