package online.hypermesh.actors.consensus;

import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;

/**
 * Told each committed block once per validator incarnation, in height order, after it is in the
 * journal. Called on the validator's thread: hand work off rather than block. After a restart,
 * blocks committed before the crash are not told again; a listener that needs them reads the journal.
 */
@FunctionalInterface
public interface CommitListener {

  void committed(Block block, CommitCertificate certificate);

  /**
   * The validator refused a transaction ({@code blockId} null when refused from its pool), with
   * the validator's reason (for NKrypt, it starts with the failing proof's name). Not persisted by
   * the validator: told once, as it happens.
   */
  default void rejected(Digest transactionId, Digest blockId, String reason) {}
}
