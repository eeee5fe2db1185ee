package online.hypermesh.protocol.consensus.bft;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle tree over a block's transactions, hashed as in RFC 6962 (SHA-256; leaf = H(0x00 ||
 * data), node = H(0x01 || left || right), the empty tree H("")), with audit paths verified by the
 * RFC 9162 section 2.1.3.2 algorithm. A transaction's leaf data is its 32-byte id followed by its
 * body, exactly what the block id commits for it.
 */
public final class MerkleTree {

  /** Caps the path: 2^32 leaves are far above any block. */
  public static final int MAX_PATH = 32;

  private MerkleTree() {}

  public static byte[] leafData(Transaction tx) {
    byte[] id = tx.id().bytes();
    byte[] body = tx.body();
    byte[] data = new byte[id.length + body.length];
    System.arraycopy(id, 0, data, 0, id.length);
    System.arraycopy(body, 0, data, id.length, body.length);
    return data;
  }

  public static List<byte[]> leaves(List<Transaction> txs) {
    List<byte[]> out = new ArrayList<>(txs.size());
    for (Transaction tx : txs) {
      out.add(leafHash(leafData(tx)));
    }
    return out;
  }

  public static byte[] leafHash(byte[] data) {
    MessageDigest md = sha256();
    md.update((byte) 0);
    md.update(data);
    return md.digest();
  }

  static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = sha256();
    md.update((byte) 1);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** The root of the block's transactions. */
  public static Digest root(List<Transaction> txs) {
    return rootOfHashes(leaves(txs));
  }

  /** The root over leaf hashes ({@link #leafHash}), in order. */
  public static Digest rootOfHashes(List<byte[]> leafHashes) {
    return Digest.of(rootOf(leafHashes, 0, leafHashes.size()));
  }

  /** The audit path for leaf {@code index} among {@code leafHashes}. */
  public static List<Digest> path(List<byte[]> leafHashes, int index) {
    if (index < 0 || index >= leafHashes.size()) {
      throw new IllegalArgumentException("leaf " + index + " of " + leafHashes.size());
    }
    List<Digest> out = new ArrayList<>();
    path(leafHashes, index, 0, leafHashes.size(), out);
    return out;
  }

  /** Whether {@code path} proves {@code leafHash} at {@code index} of a tree of {@code size}. */
  public static boolean verify(
      byte[] leafHash, long index, long size, List<Digest> path, Digest root) {
    if (index < 0 || index >= size || path.size() > MAX_PATH) {
      return false;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (Digest p : path) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p.bytes(), r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(r, p.bytes());
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && Digest.of(r).equals(root);
  }

  private static byte[] rootOf(List<byte[]> leaves, int from, int to) {
    int n = to - from;
    if (n == 0) {
      return sha256().digest();
    }
    if (n == 1) {
      return leaves.get(from);
    }
    int k = Integer.highestOneBit(n - 1);
    return nodeHash(rootOf(leaves, from, from + k), rootOf(leaves, from + k, to));
  }

  private static void path(List<byte[]> leaves, int m, int from, int to, List<Digest> out) {
    int n = to - from;
    if (n <= 1) {
      return;
    }
    int k = Integer.highestOneBit(n - 1);
    if (m < k) {
      path(leaves, m, from, from + k, out);
      out.add(Digest.of(rootOf(leaves, from + k, to)));
    } else {
      path(leaves, m - k, from + k, to, out);
      out.add(Digest.of(rootOf(leaves, from, from + k)));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
