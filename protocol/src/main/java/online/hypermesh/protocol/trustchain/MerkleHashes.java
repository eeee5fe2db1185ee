package online.hypermesh.protocol.trustchain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two hash functions of an RFC 6962 / RFC 9162 (section 2.1.1) Merkle tree, SHA-256 with
 * domain separation: a leaf is {@code SHA-256(0x00 || entry)}, an interior node is {@code
 * SHA-256(0x01 || left || right)}. The prefixes keep a leaf from ever being passed off as an
 * interior node (second-preimage attacks on the tree).
 *
 * <p>Shared by {@link MerkleLog} and {@link MerkleProofVerifier}: these are the primitives both
 * sides must agree on; the tree-walking code is written twice on purpose, not this.
 */
public final class MerkleHashes {

  /** SHA-256 output length. */
  public static final int HASH_BYTES = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private MerkleHashes() {}

  /** {@code SHA-256(0x00 || entry)}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest digest = sha256();
    digest.update(LEAF_PREFIX);
    digest.update(entry);
    return digest.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest digest = sha256();
    digest.update(NODE_PREFIX);
    digest.update(left);
    digest.update(right);
    return digest.digest();
  }

  /** The root of the empty tree: SHA-256 of the empty string (RFC 9162 section 2.1.1). */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /** Plain SHA-256 (used for log ids). */
  public static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
