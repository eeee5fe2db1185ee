package online.hypermesh.protocol.consensus.bft;

/** What {@link BftCore} asks its host to do, in order, after persisting {@link Step#persist()}. */
public sealed interface Output {

  record Send(int to, ConsensusMessage message) implements Output {}

  /** To every other validator. */
  record Broadcast(ConsensusMessage message) implements Output {}

  /** Deliver {@link Input.TimerExpired} for {@code round} after the delay (replaces nothing). */
  record SetTimer(long round, long delayMillis) implements Output {}

  /** Deliver {@link Input.ProposalDue} for {@code round} after the delay: an idle leader's wait. */
  record SetProposalTimer(long round, long delayMillis) implements Output {}

  /**
   * A block is final. Emitted in height order, each height once. The certificate commits the
   * highest block of the batch it was emitted in, and this one through the hash chain.
   */
  record Commit(Block block, CommitCertificate certificate) implements Output {}

  /**
   * The epoch ended: {@code change}, a block holding a valid validator-set change, was committed
   * (its {@link Commit}s precede this, in the same step). {@code base} is the certified top of
   * that commit: the change block itself, or an empty block above it when the change's child was
   * certified only after a timeout (only empty blocks get votes above a change). The core has
   * halted and ignores every later input; the host starts the next epoch's core from {@code
   * base} ({@link ValidatorSet#next}). {@code certificate} commits {@code base}.
   */
  record EpochEnded(Block base, Block change, CommitCertificate certificate) implements Output {}

  /** A transaction refused by the validator (blockId null when refused from the pool). */
  record TransactionRejected(Digest transactionId, Digest blockId, String reason) implements Output {}

  /** A message that failed a check; the node ignores it and carries on. */
  record MessageRejected(int from, String reason) implements Output {}

  record EquivocationDetected(Evidence evidence) implements Output {}

  /**
   * A certified chain conflicts with a committed block: more than f validators are faulty. The
   * core stops committing on that branch; the host should alert.
   */
  record SafetyFault(String reason) implements Output {}
}
