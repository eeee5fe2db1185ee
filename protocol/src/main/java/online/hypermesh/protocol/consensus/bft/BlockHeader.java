package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a block id commits, in a fixed 166 bytes: everything of a {@link Block} but its
 * transactions, which enter through their count and RFC 6962 root ({@link MerkleTree}, leaves
 * H(0x00 || id || body)), and its parent's quorum certificate, which enters through its digest
 * (SHA-256 of its canonical {@link Codec} encoding, {@link QuorumCert#digest()}). So a header alone
 * fixes its block, the parent certificate's every signature and the chain below it, and a
 * transaction's audit path against the root proves it is in that block: light clients carry
 * headers, not whole blocks, and a header's size does not grow with the validator set.
 *
 * <p>The parent block id is a field of its own (the light client links headers by it without the
 * certificate); a {@link Block} derives it and the digest from the certificate it carries, so a
 * block whose header names another certificate, or another parent than its certificate's, cannot
 * be built or decoded. The parent's round is not a field: linkage needs only the parent id and
 * height, the 2-chain rule is checked on a {@link CommitCertificate}'s vote data (which carries
 * both rounds), and the digest commits the parent round anyway.
 *
 * <p>The id is SHA-256 over "HM-BFT-BLOCK-4" and the canonical encoding: i64 round, i64 height,
 * u16 proposer, time (i64 tick count, tick hash (32), i64 timestamp), parent id (32), parent QC
 * digest (32), u32 transaction count, transaction root (32).
 */
public final class BlockHeader {

  private static final byte[] DOMAIN = "HM-BFT-BLOCK-4".getBytes(StandardCharsets.US_ASCII);

  /** The canonical encoding's length: every field is fixed-size. */
  public static final int ENCODED_BYTES = 8 + 8 + 2 + (8 + Digest.LENGTH + 8) + Digest.LENGTH
      + Digest.LENGTH + 4 + Digest.LENGTH;

  private final long round;
  private final long height;
  private final int proposer;
  private final BlockTime time;
  private final Digest parentId;
  private final Digest qcDigest;
  private final int transactionCount;
  private final Digest transactionRoot;
  private final byte[] encoded;
  private final Digest id;

  public BlockHeader(long round, long height, int proposer, BlockTime time, Digest parentId,
      Digest qcDigest, int transactionCount, Digest transactionRoot) {
    if (time == null || parentId == null || qcDigest == null) {
      throw new IllegalArgumentException(
          "a block needs a time, its parent's id and its parent certificate's digest");
    }
    if (transactionCount < 0) {
      throw new IllegalArgumentException("negative transaction count " + transactionCount);
    }
    this.round = round;
    this.height = height;
    this.proposer = proposer;
    this.time = time;
    this.parentId = parentId;
    this.qcDigest = qcDigest;
    this.transactionCount = transactionCount;
    this.transactionRoot = Objects.requireNonNull(transactionRoot, "transactionRoot");
    WireWriter w = new WireWriter();
    w.i64(round).i64(height).u16(proposer);
    time.encode(w);
    w.digest(parentId).digest(qcDigest);
    w.u32(transactionCount).digest(transactionRoot);
    this.encoded = w.toByteArray();
    this.id = Digest.sha256(DOMAIN, encoded);
  }

  /** The header of a block extending the block {@code qc} certifies. */
  static BlockHeader of(long round, long height, int proposer, QuorumCert qc, BlockTime time,
      int transactionCount, Digest transactionRoot) {
    return new BlockHeader(round, height, proposer, time, qc.blockId(), qc.digest(),
        transactionCount, transactionRoot);
  }

  public Digest id() {
    return id;
  }

  public long round() {
    return round;
  }

  public long height() {
    return height;
  }

  public int proposer() {
    return proposer;
  }

  public BlockTime time() {
    return time;
  }

  /** The parent block's id: the block the parent quorum certificate certifies. */
  public Digest parentId() {
    return parentId;
  }

  /** SHA-256 of the parent quorum certificate's canonical encoding ({@link Codec#encode}). */
  public Digest qcDigest() {
    return qcDigest;
  }

  public int transactionCount() {
    return transactionCount;
  }

  public Digest transactionRoot() {
    return transactionRoot;
  }

  /** The canonical encoding's length (what {@link Codec#encodeHeader} returns). */
  public int encodedSize() {
    return encoded.length;
  }

  void encode(WireWriter w) {
    w.raw(encoded);
  }

  static BlockHeader decode(WireReader r) {
    long round = r.counter("round");
    long height = r.counter("height");
    int proposer = r.u16("proposer");
    BlockTime time = BlockTime.decode(r);
    Digest parentId = r.digest("parent id");
    Digest qcDigest = r.digest("parent QC digest");
    long count = r.u32("transaction count");
    if (count > Codec.MAX_TRANSACTIONS) {
      throw new WireReader.Malformed("header with " + count + " transactions, max "
          + Codec.MAX_TRANSACTIONS);
    }
    Digest root = r.digest("transaction root");
    return new BlockHeader(round, height, proposer, time, parentId, qcDigest, (int) count, root);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockHeader h && id.equals(h.id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "BlockHeader[" + id + " r" + round + " h" + height + " by " + proposer + ", parent "
        + parentId + ", " + transactionCount + " txs, root " + transactionRoot + "]";
  }
}
