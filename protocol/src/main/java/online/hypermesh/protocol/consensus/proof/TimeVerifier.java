package online.hypermesh.protocol.consensus.proof;

import java.security.MessageDigest;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * PoTime (when). A transaction must reference the tick of a committed block (count and hash
 * matching what the block recorded), at most {@link ChainParameters#freshnessTicks} behind the
 * head; its timestamp must lie in that block's time window {@code [block time, block time +
 * timeWindowMillis]} and not more than {@code clockSkewMillis} ahead of this validator's clock;
 * and its id must not be in the replay set.
 *
 * <p>Checks in that order after presence: replay, tick lookup, tick hash, freshness, window,
 * clock. State lookups that throw are reported as rejections, never propagated.
 */
public final class TimeVerifier {

  private final ChainParameters params;
  private final TickLedger ledger;
  private final ReplaySet seen;
  private final Clock clock;

  public TimeVerifier(ChainParameters params, TickLedger ledger, ReplaySet seen, Clock clock) {
    this.params = Objects.requireNonNull(params, "params");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.seen = Objects.requireNonNull(seen, "seen");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Verdict verify(Transaction tx, byte[] transactionId) {
    Checked checked = check(tx, transactionId);
    return checked.rejection() != null ? checked.rejection() : Verdict.accepted();
  }

  /** The referenced block (for the PoSpace challenge), or the rejection. */
  record Checked(BlockTick block, Verdict.Rejected rejection) {}

  Checked check(Transaction tx, byte[] transactionId) {
    TimeProof time = tx.time();
    if (time == null) {
      return refuse("missing: the transaction references no tick");
    }
    boolean replayed;
    Optional<BlockTick> head;
    Optional<BlockTick> found;
    try {
      replayed = seen.contains(transactionId);
      head = replayed ? Optional.empty() : ledger.head();
      found = replayed ? Optional.empty() : ledger.atTick(time.tickCount());
    } catch (RuntimeException e) {
      return refuse("state lookup failed: " + e);
    }
    if (replayed) {
      return refuse("replayed: transaction id already seen");
    }
    if (head == null || found == null) {
      return refuse("state lookup failed: the tick ledger answered null");
    }
    if (head.isEmpty()) {
      return refuse("unknown tick " + time.tickCount() + ": the chain has no blocks yet");
    }
    if (time.tickCount() > head.get().tickCount()) {
      return refuse("unknown tick " + time.tickCount() + ": ahead of the head's tick "
          + head.get().tickCount());
    }
    if (found.isEmpty()) {
      return refuse("unknown tick " + time.tickCount() + ": no committed block recorded it");
    }
    BlockTick block = found.get();
    if (block.tickCount() != time.tickCount()
        || !MessageDigest.isEqual(block.tickHash(), time.tickHash())) {
      return refuse("wrong tick hash for tick " + time.tickCount() + " (block at height "
          + block.height() + ")");
    }
    long behind = head.get().tickCount() - time.tickCount();
    if (behind > params.freshnessTicks()) {
      return refuse("stale: tick " + time.tickCount() + " is " + behind
          + " ticks behind the head, the window is " + params.freshnessTicks());
    }
    long ts = tx.timestampMillis();
    if (ts < block.timestampMillis()) {
      return refuse("back-dated: timestamp " + ts + " is before its block's time "
          + block.timestampMillis());
    }
    if (ts - block.timestampMillis() > params.timeWindowMillis()) {
      return refuse("outside the time window: timestamp " + ts + " is "
          + (ts - block.timestampMillis()) + " ms after its block's time, the window is "
          + params.timeWindowMillis() + " ms");
    }
    long now = clock.millis();
    if (ts > now + params.clockSkewMillis()) {
      return refuse("future-dated: timestamp " + ts + " is " + (ts - now)
          + " ms ahead of this validator's clock, allowed skew " + params.clockSkewMillis()
          + " ms");
    }
    return new Checked(block, null);
  }

  private static Checked refuse(String reason) {
    return new Checked(null, new Verdict.Rejected(ProofKind.TIME, reason));
  }
}
