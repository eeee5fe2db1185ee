package online.hypermesh.protocol.consensus.bft;

/**
 * The highest committed block, all a restarted validator needs to know about its chain: its id,
 * round, height and time (the next block's tick and timestamp follow from it).
 */
public record CommittedTip(Digest id, long round, long height, BlockTime time) {

  public CommittedTip {
    if (id == null || time == null) {
      throw new IllegalArgumentException("a committed tip needs an id and a time");
    }
  }

  public static CommittedTip genesis(ValidatorSet set) {
    return new CommittedTip(set.genesisId(), 0, set.genesisHeight(), set.genesisTime());
  }

  public static CommittedTip of(Block block) {
    return new CommittedTip(block.id(), block.round(), block.height(), block.time());
  }
}
