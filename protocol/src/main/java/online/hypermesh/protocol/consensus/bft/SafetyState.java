package online.hypermesh.protocol.consensus.bft;

/**
 * What a validator must remember across a crash so it never signs two conflicting messages: it is
 * persisted (as one record, the latest wins) before any message signed under it leaves the node.
 *
 * @param lastVotedRound highest round in which it voted, proposed or timed out; it never votes
 *     again at or below it
 * @param lockedRound highest QC round it had seen when it last signed (the 2-chain lock); it
 *     never signs a timeout with a lower QC
 * @param lastVote its vote in {@code lastVotedRound}, re-sent unchanged after a restart
 * @param lastTimeout its timeout in the highest round it timed out, re-sent unchanged
 * @param highQc highest QC it holds, so timeouts after a restart stay above the lock
 * @param highTc highest TC it holds (may be null), justifying its current round after a restart
 */
public record SafetyState(
    long lastVotedRound,
    long lockedRound,
    Vote lastVote,
    Timeout lastTimeout,
    QuorumCert highQc,
    TimeoutCert highTc) {

  public static SafetyState initial(ValidatorSet set) {
    return new SafetyState(0, 0, null, null, set.genesisQc(), null);
  }

  void encode(WireWriter w) {
    w.i64(lastVotedRound).i64(lockedRound);
    w.u8(lastVote == null ? 0 : 1);
    if (lastVote != null) {
      lastVote.encode(w);
    }
    w.u8(lastTimeout == null ? 0 : 1);
    if (lastTimeout != null) {
      lastTimeout.encode(w);
    }
    highQc.encode(w);
    w.u8(highTc == null ? 0 : 1);
    if (highTc != null) {
      highTc.encode(w);
    }
  }

  static SafetyState decode(WireReader r) {
    long voted = r.counter("last voted round");
    long locked = r.counter("locked round");
    Vote vote = r.flag("vote") ? Vote.decode(r) : null;
    Timeout timeout = r.flag("timeout") ? Timeout.decode(r) : null;
    QuorumCert qc = QuorumCert.decode(r);
    TimeoutCert tc = r.flag("TC") ? TimeoutCert.decode(r) : null;
    return new SafetyState(voted, locked, vote, timeout, qc, tc);
  }
}
