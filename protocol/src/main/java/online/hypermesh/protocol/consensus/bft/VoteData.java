package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;

/**
 * What a vote signs: the block and its parent. Carrying the parent lets a quorum certificate alone
 * prove a 2-chain commit (parent round + 1 == round), which is what makes a
 * {@link CommitCertificate} checkable without the blocks.
 */
public record VoteData(Digest blockId, long round, long height, Digest parentId, long parentRound) {

  private static final byte[] DOMAIN = "HM-BFT-VOTE-1".getBytes(StandardCharsets.US_ASCII);

  public static VoteData of(Block block) {
    return new VoteData(
        block.id(), block.round(), block.height(), block.parentId(), block.qc().round());
  }

  /** Whether a certificate on this data commits the parent under the 2-chain rule. */
  public boolean commitsParent() {
    return round >= 1 && parentRound + 1 == round;
  }

  /** Structural sanity, checked before any signature. */
  Verdict check() {
    if (round < 1 || height < 1) {
      return Verdict.reject("vote data round/height must be positive");
    }
    if (parentRound >= round) {
      return Verdict.reject("parent round " + parentRound + " not below round " + round);
    }
    return Verdict.accept();
  }

  byte[] signingBytes(Digest chainId) {
    WireWriter w = new WireWriter().raw(DOMAIN).digest(chainId);
    encode(w);
    return w.toByteArray();
  }

  void encode(WireWriter w) {
    w.digest(blockId).i64(round).i64(height).digest(parentId).i64(parentRound);
  }

  static VoteData decode(WireReader r) {
    return new VoteData(
        r.digest("block id"),
        r.counter("round"),
        r.counter("height"),
        r.digest("parent id"),
        r.counter("parent round"));
  }
}
