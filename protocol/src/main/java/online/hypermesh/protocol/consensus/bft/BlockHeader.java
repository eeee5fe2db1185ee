package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a block id commits: everything of a {@link Block} but its transactions, which enter through
 * their count and RFC 6962 root ({@link MerkleTree}, leaves H(0x00 || id || body)). So a header
 * alone fixes its block and the chain below it, and a transaction's audit path against the root
 * proves it is in that block: light clients carry headers, not whole blocks.
 *
 * <p>The id is SHA-256 over "HM-BFT-BLOCK-3" and the canonical encoding: i64 round, i64 height,
 * u16 proposer, time, parent QC, u32 transaction count, root (32).
 */
public final class BlockHeader {

  private static final byte[] DOMAIN = "HM-BFT-BLOCK-3".getBytes(StandardCharsets.US_ASCII);

  private final long round;
  private final long height;
  private final int proposer;
  private final QuorumCert qc;
  private final BlockTime time;
  private final int transactionCount;
  private final Digest transactionRoot;
  private final byte[] encoded;
  private final Digest id;

  public BlockHeader(long round, long height, int proposer, QuorumCert qc, BlockTime time,
      int transactionCount, Digest transactionRoot) {
    if (qc == null || time == null) {
      throw new IllegalArgumentException("a block needs its parent's certificate and a time");
    }
    if (transactionCount < 0) {
      throw new IllegalArgumentException("negative transaction count " + transactionCount);
    }
    this.round = round;
    this.height = height;
    this.proposer = proposer;
    this.qc = qc;
    this.time = time;
    this.transactionCount = transactionCount;
    this.transactionRoot = Objects.requireNonNull(transactionRoot, "transactionRoot");
    WireWriter w = new WireWriter();
    w.i64(round).i64(height).u16(proposer);
    time.encode(w);
    qc.encode(w);
    w.u32(transactionCount).digest(transactionRoot);
    this.encoded = w.toByteArray();
    this.id = Digest.sha256(DOMAIN, encoded);
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

  /** The certificate of the parent block. */
  public QuorumCert qc() {
    return qc;
  }

  public BlockTime time() {
    return time;
  }

  public Digest parentId() {
    return qc.blockId();
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
    QuorumCert qc = QuorumCert.decode(r);
    long count = r.u32("transaction count");
    if (count > Codec.MAX_TRANSACTIONS) {
      throw new WireReader.Malformed("header with " + count + " transactions, max "
          + Codec.MAX_TRANSACTIONS);
    }
    Digest root = r.digest("transaction root");
    return new BlockHeader(round, height, proposer, qc, time, (int) count, root);
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
    return "BlockHeader[" + id + " r" + round + " h" + height + " by " + proposer + ", "
        + transactionCount + " txs, root " + transactionRoot + "]";
  }
}
