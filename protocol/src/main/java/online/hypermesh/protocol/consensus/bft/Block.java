package online.hypermesh.protocol.consensus.bft;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch of transactions proposed for one round, extending the block its {@link #qc()}
 * certifies, with its {@link BlockTime} (tick and timestamp, see {@link BlockTiming}). The id is
 * its {@link #header()}'s: the transactions enter through their Merkle root and the parent
 * certificate through its digest, so a block id fixes the block, its parent certificate and the
 * whole chain below it. The block keeps the full certificate (consensus needs it); the wire form
 * is round, height, proposer, time, the full certificate and then the transactions, and a
 * decoded block's header and id are always recomputed from that content, never read.
 */
public final class Block {

  private final long round;
  private final long height;
  private final int proposer;
  private final QuorumCert qc;
  private final BlockTime time;
  private final List<Transaction> transactions;
  private final byte[] encoded;
  private final BlockHeader header;

  public Block(long round, long height, int proposer, QuorumCert qc, BlockTime time,
      List<Transaction> transactions) {
    if (qc == null || time == null) {
      throw new IllegalArgumentException("a block needs its parent's certificate and a time");
    }
    this.round = round;
    this.height = height;
    this.proposer = proposer;
    this.qc = qc;
    this.time = time;
    this.transactions = List.copyOf(transactions);
    WireWriter w = new WireWriter();
    w.i64(round).i64(height).u16(proposer);
    time.encode(w);
    qc.encode(w);
    w.u32(this.transactions.size());
    for (Transaction tx : this.transactions) {
      w.digest(tx.id()).bytes(tx.body());
    }
    this.encoded = w.toByteArray();
    // Derived from the certificate itself, never taken from outside: the header's parent id and
    // certificate digest always name this block's own certificate.
    this.header = BlockHeader.of(round, height, proposer, qc, time, this.transactions.size(),
        MerkleTree.root(this.transactions));
  }

  /** The header's id: it fixes the transactions through their root and the chain below. */
  public Digest id() {
    return header.id();
  }

  /** This block without its transactions, for light clients. */
  public BlockHeader header() {
    return header;
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

  /** Tick and timestamp, checked against the parent's by {@link BlockTiming#check}. */
  public BlockTime time() {
    return time;
  }

  public Digest parentId() {
    return qc.blockId();
  }

  public List<Transaction> transactions() {
    return transactions;
  }

  /** Shape checks that need no keys and no other blocks. */
  Verdict checkShape(ValidatorSet set, int maxTransactions, int maxBytes) {
    if (round < 1) {
      return Verdict.reject("block round must be positive");
    }
    if (!set.contains(proposer)) {
      return Verdict.reject("block proposer " + proposer + " is not a validator");
    }
    if (qc.round() >= round) {
      return Verdict.reject("parent QC round " + qc.round() + " not below block round " + round);
    }
    if (height != qc.height() + 1) {
      return Verdict.reject("block height " + height + " is not parent height + 1");
    }
    if (transactions.size() > maxTransactions) {
      return Verdict.reject("block has " + transactions.size() + " transactions, max " + maxTransactions);
    }
    long bytes = 0;
    for (Transaction tx : transactions) {
      bytes += tx.body().length;
    }
    if (bytes > maxBytes) {
      return Verdict.reject("block carries " + bytes + " bytes of transactions, max " + maxBytes);
    }
    Set<Digest> ids = new HashSet<>();
    for (Transaction tx : transactions) {
      if (!ids.add(tx.id())) {
        return Verdict.reject("transaction " + tx.id() + " appears twice in the block");
      }
    }
    return Verdict.accept();
  }

  int encodedSize() {
    return encoded.length;
  }

  void encode(WireWriter w) {
    w.raw(encoded);
  }

  static Block decode(WireReader r) {
    long round = r.counter("round");
    long height = r.counter("height");
    int proposer = r.u16("proposer");
    BlockTime time = BlockTime.decode(r);
    QuorumCert qc = QuorumCert.decode(r);
    long count = r.u32("transaction count");
    if (count > Codec.MAX_TRANSACTIONS) {
      throw new WireReader.Malformed("block with " + count + " transactions");
    }
    Transaction[] txs = new Transaction[(int) count];
    for (int i = 0; i < txs.length; i++) {
      txs[i] = new Transaction(r.digest("transaction id"), r.bytes("transaction", Codec.MAX_TRANSACTION_BYTES));
    }
    return new Block(round, height, proposer, qc, time, List.of(txs));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block b && id().equals(b.id());
  }

  @Override
  public int hashCode() {
    return id().hashCode();
  }

  @Override
  public String toString() {
    return "Block[" + id() + " r" + round + " h" + height + " by " + proposer + " tick "
        + time.tickCount() + ", "
        + transactions.size() + " txs]";
  }
}
