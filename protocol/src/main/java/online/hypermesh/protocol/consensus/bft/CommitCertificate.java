package online.hypermesh.protocol.consensus.bft;

/**
 * Proof that a block is committed, checkable by anyone holding the validator set's public keys:
 * 2f+1 signatures over vote data whose block directly follows the committed block in consecutive
 * rounds (the 2-chain rule). It commits {@link #blockId()} and, through the hash chain, every
 * ancestor of it.
 */
public record CommitCertificate(QuorumCert qc) {

  public Digest blockId() {
    return qc.data().parentId();
  }

  public long height() {
    return qc.height() - 1;
  }

  public long round() {
    return qc.data().parentRound();
  }

  public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
    if (!qc.data().commitsParent() || qc.height() < 2) {
      return Verdict.reject("certificate is not a 2-chain: rounds " + qc.data().parentRound()
          + " and " + qc.round() + " are not consecutive above genesis");
    }
    if (height() <= set.genesisHeight()) {
      return Verdict.reject("certificate commits height " + height() + ", not above the height "
          + set.genesisHeight() + " epoch " + set.epoch() + " starts from");
    }
    Verdict v = qc.verify(set, verifier);
    return v.accepted() ? v : Verdict.reject("commit certificate: " + v.reason());
  }

  /** Whether this certificate commits {@code block} itself (not just a descendant). */
  public boolean certifies(Block block) {
    return certifies(block.header());
  }

  /**
   * Whether this certificate commits the block of {@code header} itself: its id, height and round
   * (the vote data's parent). The id alone decides; height and round are checked so a certificate
   * whose vote data misstates them is not taken to commit the block.
   */
  public boolean certifies(BlockHeader header) {
    return header.id().equals(blockId()) && header.height() == height()
        && header.round() == round();
  }
}
