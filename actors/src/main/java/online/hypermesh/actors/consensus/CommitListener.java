package online.hypermesh.actors.consensus;

import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;

/**
 * Told each committed block once per validator incarnation, in height order, after it is in the
 * journal. Called on the validator's thread: hand work off rather than block. After a restart,
 * blocks committed before the crash are not told again; a listener that needs them reads the journal.
 */
@FunctionalInterface
public interface CommitListener {

  void committed(Block block, CommitCertificate certificate);
}
