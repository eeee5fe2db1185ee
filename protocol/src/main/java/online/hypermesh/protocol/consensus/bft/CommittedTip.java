package online.hypermesh.protocol.consensus.bft;

/** The highest committed block, all a restarted validator needs to know about its chain. */
public record CommittedTip(Digest id, long round, long height) {

  public static CommittedTip genesis(ValidatorSet set) {
    return new CommittedTip(set.genesisId(), 0, 0);
  }

  public static CommittedTip of(Block block) {
    return new CommittedTip(block.id(), block.round(), block.height());
  }
}
