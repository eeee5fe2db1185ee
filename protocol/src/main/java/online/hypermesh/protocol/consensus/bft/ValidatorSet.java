package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The n = 3f+1 validators of one chain, identified by their index in {@link #publicKeys}, and
 * the chain's {@link BlockTiming}. The chain id, the keys and the timing fix the genesis block id,
 * which every signature is bound to (so a vote on one chain is worthless on another).
 */
public final class ValidatorSet {

  private final Digest chainId;
  private final List<byte[]> publicKeys;
  private final Digest genesisId;
  private final QuorumCert genesisQc;
  private final BlockTiming timing;

  public ValidatorSet(Digest chainId, List<byte[]> publicKeys, BlockTiming timing) {
    if (publicKeys.isEmpty() || publicKeys.size() > Codec.MAX_VALIDATORS) {
      throw new IllegalArgumentException("validator count " + publicKeys.size() + " out of range");
    }
    this.chainId = java.util.Objects.requireNonNull(chainId, "chainId");
    this.timing = java.util.Objects.requireNonNull(timing, "timing");
    this.publicKeys = publicKeys.stream().map(byte[]::clone).toList();
    var md = Digest.sha256();
    md.update("HM-BFT-GENESIS-1".getBytes(StandardCharsets.US_ASCII));
    md.update(chainId.raw());
    for (byte[] key : this.publicKeys) {
      md.update(Digest.sha256(key).raw());
    }
    WireWriter w = new WireWriter();
    timing.encode(w);
    md.update(w.toByteArray());
    this.genesisId = Digest.wrap(md.digest());
    this.genesisQc = QuorumCert.genesis(genesisId);
  }

  public Digest chainId() {
    return chainId;
  }

  public BlockTiming timing() {
    return timing;
  }

  /** The id of the implicit block at height 0, round 0 that every chain starts from. */
  public Digest genesisId() {
    return genesisId;
  }

  /** The certificate for genesis: no signatures, accepted by identity. */
  public QuorumCert genesisQc() {
    return genesisQc;
  }

  public int size() {
    return publicKeys.size();
  }

  /** f: the most Byzantine validators tolerated. */
  public int maxFaulty() {
    return (size() - 1) / 3;
  }

  /** n - f, which is 2f+1 when n = 3f+1: any two quorums share an honest validator. */
  public int quorum() {
    return size() - maxFaulty();
  }

  public boolean contains(int index) {
    return index >= 0 && index < size();
  }

  public byte[] publicKey(int index) {
    return publicKeys.get(index);
  }

  /** Round-robin leader rotation. */
  public int leader(long round) {
    return (int) Math.floorMod(round, (long) size());
  }
}
