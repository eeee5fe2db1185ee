package online.hypermesh.protocol.consensus.proof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleLog;

/**
 * A node's plot: {@code leafCount} pseudo-random leaves derived from its account id, under an
 * RFC 6962 Merkle tree whose root the node registers on chain ({@link PlotRegistry}).
 *
 * <p>Leaf i is the first {@code leafBytes} bytes of {@code H(i,0) || H(i,1) || ...} with {@code
 * H(i,j) = SHA-256(block("hypermesh/nkrypt/plot/v1") || account id || u64 i || u32 j)}. Anyone
 * can compute a leaf (the verifier does, so a plot of other data fails), but an opening also
 * needs the leaf's Merkle path, and that needs the whole tree: a node that keeps no tree has to
 * rebuild all of it per challenge.
 *
 * <p>Held in memory ({@link MerkleLog} keeps the leaf hashes, 32 bytes each plus overhead), so
 * this class is for plots up to {@link #MAX_IN_MEMORY_LEAVES} leaves; the leaves themselves are
 * recomputed when opened. Thread-safe (the tree caches subtree hashes as it answers, so reads
 * are serialized).
 */
public final class Plot {

  public static final int MAX_IN_MEMORY_LEAVES = 1 << 24;
  private static final byte[] TAG = "hypermesh/nkrypt/plot/v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] accountId;
  private final int leafBytes;
  private final MerkleLog tree;

  private Plot(byte[] accountId, int leafBytes, MerkleLog tree) {
    this.accountId = accountId;
    this.leafBytes = leafBytes;
    this.tree = tree;
  }

  /** Derives and hashes every leaf: O(leafCount * leafBytes / 32) SHA-256 blocks. */
  public static Plot generate(byte[] accountId, long leafCount, int leafBytes) {
    Objects.requireNonNull(accountId, "accountId");
    if (leafCount < 1 || leafCount > MAX_IN_MEMORY_LEAVES) {
      throw new IllegalArgumentException(
          "leaf count must be within 1.." + MAX_IN_MEMORY_LEAVES + ", not " + leafCount);
    }
    if (leafBytes < ChainParameters.MIN_LEAF_BYTES || leafBytes > ChainParameters.MAX_LEAF_BYTES) {
      throw new IllegalArgumentException("leaf size " + leafBytes + " out of range");
    }
    MerkleLog tree = new MerkleLog();
    for (long i = 0; i < leafCount; i++) {
      tree.appendLeafHash(MerkleHashes.leafHash(leaf(accountId, i, leafBytes)));
    }
    return new Plot(accountId.clone(), leafBytes, tree);
  }

  /** Leaf {@code index} of the plot of {@code accountId}. */
  public static byte[] leaf(byte[] accountId, long index, int leafBytes) {
    byte[] leaf = new byte[leafBytes];
    MessageDigest sha = TransactionDigest.sha256();
    int blocks = (leafBytes + 31) / 32;
    for (int j = 0; j < blocks; j++) {
      TransactionDigest.block(sha, TAG);
      sha.update(accountId);
      TransactionDigest.u64(sha, index);
      sha.update(new byte[] {(byte) (j >>> 24), (byte) (j >>> 16), (byte) (j >>> 8), (byte) j});
      byte[] out = sha.digest();
      System.arraycopy(out, 0, leaf, j * 32, Math.min(32, leafBytes - j * 32));
    }
    return leaf;
  }

  public synchronized byte[] root() {
    return tree.root();
  }

  public synchronized long leafCount() {
    return tree.size();
  }

  public int leafBytes() {
    return leafBytes;
  }

  /** What to register on chain for this plot. */
  public PlotCommitment commitment() {
    return new PlotCommitment(root(), leafCount());
  }

  /** Leaf {@code index} with its inclusion path. */
  public synchronized PlotOpening open(long index) {
    return new PlotOpening(leaf(accountId, index, leafBytes), tree.inclusionProof(index, tree.size()));
  }

  /** The openings for {@code indices}, in order: an answer to a challenge. */
  public List<PlotOpening> answer(long[] indices) {
    List<PlotOpening> openings = new ArrayList<>(indices.length);
    for (long index : indices) {
      openings.add(open(index));
    }
    return openings;
  }
}
