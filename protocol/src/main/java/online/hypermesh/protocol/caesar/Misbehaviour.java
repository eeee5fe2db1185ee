package online.hypermesh.protocol.caesar;

import online.hypermesh.protocol.consensus.bft.CommitCertificate;

/**
 * Evidence that the remote chain's validators committed two different blocks at one height: two
 * certificates, each verified against the validator set in force at that height. Either 1/3 of
 * them signed both (slashable) or the chain forked; the bridge stops trusting it either way.
 */
public record Misbehaviour(long height, CommitCertificate first, CommitCertificate second) {}
