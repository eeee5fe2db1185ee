package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The n = 3f+1 validators of one chain in one epoch, identified by their index in {@link
 * #publicKeys}, and the chain's {@link BlockTiming}. The chain id, the keys and the timing fix the
 * genesis block id. Every signature is bound to {@link #signingChainId()} (so a vote on one chain,
 * or in one epoch, is worthless on another).
 *
 * <p>Epoch 0 is the genesis set: it starts from the implicit genesis block at height 0 and signs
 * under the chain id itself. Epoch e > 0 ({@link #next}) starts from the base block that committed
 * the change (its id, height and time): its signing chain id is SHA-256("HM-EPOCH-1" || chain id
 * || u32 e || base id), and its starting certificate is the unsigned one on the base block, so the
 * epoch's first block has height base + 1, round 1, and the base block as parent.
 */
public final class ValidatorSet {

  private static final byte[] EPOCH_DOMAIN = "HM-EPOCH-1".getBytes(StandardCharsets.US_ASCII);

  private final Digest chainId;
  private final List<byte[]> publicKeys;
  private final Digest genesisId;
  private final QuorumCert genesisQc;
  private final BlockTiming timing;
  private final long epoch;
  private final long baseHeight;
  private final BlockTime baseTime;
  private final Digest signingChainId;

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
    this.genesisQc = QuorumCert.genesis(genesisId, 0);
    this.epoch = 0;
    this.baseHeight = 0;
    this.baseTime = timing.genesis();
    this.signingChainId = chainId;
  }

  private ValidatorSet(ValidatorSet previous, List<byte[]> publicKeys, Digest baseId,
      long baseHeight, BlockTime baseTime) {
    if (publicKeys.isEmpty() || publicKeys.size() > Codec.MAX_VALIDATORS) {
      throw new IllegalArgumentException("validator count " + publicKeys.size() + " out of range");
    }
    if (baseHeight <= previous.baseHeight) {
      throw new IllegalArgumentException("epoch base height " + baseHeight
          + " is not above the previous epoch's base height " + previous.baseHeight);
    }
    this.chainId = previous.chainId;
    this.timing = previous.timing;
    this.publicKeys = publicKeys.stream().map(byte[]::clone).toList();
    this.epoch = Math.addExact(previous.epoch, 1);
    if (epoch > 0xffff_ffffL) {
      throw new IllegalArgumentException("epoch " + epoch + " does not fit in u32");
    }
    this.genesisId = java.util.Objects.requireNonNull(baseId, "baseId");
    this.baseHeight = baseHeight;
    this.baseTime = java.util.Objects.requireNonNull(baseTime, "baseTime");
    this.genesisQc = QuorumCert.genesis(baseId, baseHeight);
    this.signingChainId = epochSigningChainId(chainId, epoch, baseId);
  }

  /** SHA-256("HM-EPOCH-1" || chain id || u32 epoch || base block id). */
  public static Digest epochSigningChainId(Digest chainId, long epoch, Digest baseId) {
    return Digest.sha256(new WireWriter().raw(EPOCH_DOMAIN).digest(chainId).u32((int) epoch)
        .digest(baseId).toByteArray());
  }

  /**
   * The set of the next epoch: {@code publicKeys}, starting from the block that committed the
   * change ({@code baseId} at {@code baseHeight}, stamped {@code baseTime}). Same chain id and
   * timing.
   */
  public ValidatorSet next(List<byte[]> publicKeys, Digest baseId, long baseHeight,
      BlockTime baseTime) {
    return new ValidatorSet(this, publicKeys, baseId, baseHeight, baseTime);
  }

  /** 0 for the genesis set, then one more per committed change. */
  public long epoch() {
    return epoch;
  }

  /** What every signature of this epoch is bound to (the chain id itself in epoch 0). */
  public Digest signingChainId() {
    return signingChainId;
  }

  /** Height of the block this epoch starts from (0: genesis). */
  public long genesisHeight() {
    return baseHeight;
  }

  /** Time of the block this epoch starts from (the genesis time in epoch 0). */
  public BlockTime genesisTime() {
    return baseTime;
  }

  /** All keys in index order (copies). */
  public List<byte[]> publicKeys() {
    return publicKeys.stream().map(byte[]::clone).toList();
  }

  public Digest chainId() {
    return chainId;
  }

  public BlockTiming timing() {
    return timing;
  }

  /**
   * The id of the block this epoch starts from: the implicit block at height 0 that every chain
   * starts from in epoch 0, the base block (which committed the change) after.
   */
  public Digest genesisId() {
    return genesisId;
  }

  /** The certificate for the starting block: no signatures, round 0, accepted by identity. */
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

  /** The index of {@code publicKey} in this set, or -1 when it is not a member. */
  public int indexOf(byte[] publicKey) {
    for (int i = 0; i < publicKeys.size(); i++) {
      if (java.util.Arrays.equals(publicKeys.get(i), publicKey)) {
        return i;
      }
    }
    return -1;
  }

  /** Round-robin leader rotation. */
  public int leader(long round) {
    return (int) Math.floorMod(round, (long) size());
  }
}
