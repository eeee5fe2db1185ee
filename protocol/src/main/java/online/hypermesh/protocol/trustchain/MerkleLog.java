package online.hypermesh.protocol.trustchain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An append-only Merkle log in memory (RFC 9162 section 2.1), holding only leaf hashes: the
 * entries themselves live elsewhere (the actor layer will persist leaves in Cassandra and rebuild
 * a log with {@link #fromLeafHashes}).
 *
 * <p>Computes the tree hash MTH at any size up to the current one, inclusion proofs (PATH,
 * section 2.1.3.1) and consistency proofs (PROOF/SUBPROOF, section 2.1.4.1), written as the RFC's
 * recursive definitions over index ranges, with the split k = the largest power of two smaller
 * than n. Hashes of complete, aligned subtrees (size 2^j starting at a multiple of 2^j) never
 * change in an append-only log, so they are cached; every left subtree of a split is one, which
 * makes a root or proof cost O(log n) hashes once warm instead of O(n).
 *
 * <p>Not thread-safe: one owner (the log's actor) appends and answers. Proofs are checked by the
 * separate {@link MerkleProofVerifier}, which shares none of this code.
 */
public final class MerkleLog {

  private final List<byte[]> leafHashes = new ArrayList<>();
  /** Complete aligned subtree hashes keyed by (start, size); see {@link #key}. */
  private final Map<Long, byte[]> completeSubtrees = new HashMap<>();

  /** An empty log. */
  public MerkleLog() {}

  /** A log holding {@code hashes} as its leaves, in order (each 32 bytes). */
  public static MerkleLog fromLeafHashes(List<byte[]> hashes) {
    MerkleLog log = new MerkleLog();
    for (byte[] hash : hashes) {
      log.appendLeafHash(hash);
    }
    return log;
  }

  /** Appends an entry (hashed as a leaf); returns its leaf index. */
  public long append(byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    return appendLeafHash(MerkleHashes.leafHash(entry));
  }

  /** Appends an already computed leaf hash; returns its leaf index. */
  public long appendLeafHash(byte[] leafHash) {
    Objects.requireNonNull(leafHash, "leafHash");
    if (leafHash.length != MerkleHashes.HASH_BYTES) {
      throw new IllegalArgumentException(
          "leaf hash must be " + MerkleHashes.HASH_BYTES + " bytes, not " + leafHash.length);
    }
    leafHashes.add(leafHash.clone());
    return leafHashes.size() - 1L;
  }

  /** The number of leaves. */
  public long size() {
    return leafHashes.size();
  }

  public byte[] leafHash(long index) {
    checkIndex(index, size(), "leaf index");
    return leafHashes.get((int) index).clone();
  }

  /** The leaf hashes in order (copies), e.g. to persist them. */
  public List<byte[]> leafHashes() {
    List<byte[]> copy = new ArrayList<>(leafHashes.size());
    for (byte[] hash : leafHashes) {
      copy.add(hash.clone());
    }
    return copy;
  }

  /** The current root. */
  public byte[] root() {
    return root(size());
  }

  /** MTH of the first {@code treeSize} leaves; the empty tree's root is SHA-256(""). */
  public byte[] root(long treeSize) {
    checkSize(treeSize);
    if (treeSize == 0) {
      return MerkleHashes.emptyRoot();
    }
    return mth(0, (int) treeSize).clone();
  }

  /**
   * PATH(m, D[n]) (RFC 9162 section 2.1.3.1): the audit path of leaf {@code leafIndex} in the
   * tree of the first {@code treeSize} leaves, from the leaf's sibling up to the root's child.
   */
  public List<byte[]> inclusionProof(long leafIndex, long treeSize) {
    checkSize(treeSize);
    checkIndex(leafIndex, treeSize, "leaf index");
    List<byte[]> proof = new ArrayList<>();
    path((int) leafIndex, 0, (int) treeSize, proof);
    return copies(proof);
  }

  /**
   * PROOF(m, D[n]) (RFC 9162 section 2.1.4.1) between the trees of the first {@code firstSize}
   * and {@code secondSize} leaves. Empty when m = 0 or m = n (nothing to prove: the verifier
   * checks those cases without a proof).
   */
  public List<byte[]> consistencyProof(long firstSize, long secondSize) {
    checkSize(secondSize);
    if (firstSize < 0 || firstSize > secondSize) {
      throw new IllegalArgumentException(
          "first size " + firstSize + " must be within 0.." + secondSize);
    }
    List<byte[]> proof = new ArrayList<>();
    if (firstSize > 0 && firstSize < secondSize) {
      subproof((int) firstSize, 0, (int) secondSize, true, proof);
    }
    return copies(proof);
  }

  /** MTH(D[start : end]) for a non-empty range. */
  private byte[] mth(int start, int end) {
    int n = end - start;
    if (n == 1) {
      return leafHashes.get(start);
    }
    boolean complete = Integer.bitCount(n) == 1 && start % n == 0;
    if (complete) {
      byte[] cached = completeSubtrees.get(key(start, n));
      if (cached != null) {
        return cached;
      }
    }
    int k = largestPowerOfTwoBelow(n);
    byte[] hash = MerkleHashes.nodeHash(mth(start, start + k), mth(start + k, end));
    if (complete) {
      completeSubtrees.put(key(start, n), hash);
    }
    return hash;
  }

  /** PATH(m, D[start : end]), m relative to start, appended leaf-side first. */
  private void path(int m, int start, int end, List<byte[]> out) {
    int n = end - start;
    if (n == 1) {
      return; // PATH(0, {d0}) = {}
    }
    int k = largestPowerOfTwoBelow(n);
    if (m < k) {
      path(m, start, start + k, out);
      out.add(mth(start + k, end));
    } else {
      path(m - k, start + k, end, out);
      out.add(mth(start, start + k));
    }
  }

  /** SUBPROOF(m, D[start : end], b), m relative to start. */
  private void subproof(int m, int start, int end, boolean startFromOldRoot, List<byte[]> out) {
    int n = end - start;
    if (m == n) {
      if (!startFromOldRoot) {
        out.add(mth(start, end));
      }
      return;
    }
    int k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, start, start + k, startFromOldRoot, out);
      out.add(mth(start + k, end));
    } else {
      subproof(m - k, start + k, end, false, out);
      out.add(mth(start, start + k));
    }
  }

  /** The largest power of two strictly smaller than n (n >= 2). */
  static int largestPowerOfTwoBelow(int n) {
    return Integer.highestOneBit(n - 1);
  }

  private static long key(int start, int size) {
    return ((long) start << 32) | size;
  }

  private void checkSize(long treeSize) {
    if (treeSize < 0 || treeSize > size()) {
      throw new IllegalArgumentException(
          "tree size " + treeSize + " must be within 0.." + size());
    }
  }

  private static void checkIndex(long index, long bound, String what) {
    if (index < 0 || index >= bound) {
      throw new IllegalArgumentException(what + " " + index + " must be within 0.." + (bound - 1));
    }
  }

  private static List<byte[]> copies(List<byte[]> hashes) {
    List<byte[]> copy = new ArrayList<>(hashes.size());
    for (byte[] hash : hashes) {
      copy.add(hash.clone());
    }
    return copy;
  }
}
