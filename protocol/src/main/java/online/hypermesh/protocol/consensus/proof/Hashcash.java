package online.hypermesh.protocol.consensus.proof;

import java.security.MessageDigest;

/**
 * Hashcash over a transaction digest: a nonce is good at difficulty d when {@code
 * SHA-256(digest || u64 nonce)} (nonce big-endian) starts with at least d zero bits. Finding one
 * takes 2^d hashes on average; checking it takes one.
 */
public final class Hashcash {

  private Hashcash() {}

  public static byte[] hash(byte[] digest, long nonce) {
    MessageDigest sha = TransactionDigest.sha256();
    sha.update(digest);
    TransactionDigest.u64(sha, nonce);
    return sha.digest();
  }

  /** The number of leading zero bits of {@code hash}. */
  public static int leadingZeroBits(byte[] hash) {
    int bits = 0;
    for (byte b : hash) {
      if (b == 0) {
        bits += 8;
        continue;
      }
      return bits + Integer.numberOfLeadingZeros(b & 0xff) - 24;
    }
    return bits;
  }

  public static boolean meets(byte[] digest, long nonce, int difficulty) {
    return leadingZeroBits(hash(digest, nonce)) >= difficulty;
  }

  /** Searches nonces from 0 upwards; bounded by the difficulty limit, so it ends. */
  public static long solve(byte[] digest, int difficulty) {
    if (difficulty < 0 || difficulty > ChainParameters.MAX_DIFFICULTY) {
      throw new IllegalArgumentException("difficulty " + difficulty + " out of range");
    }
    MessageDigest sha = TransactionDigest.sha256();
    for (long nonce = 0; ; nonce++) {
      sha.update(digest);
      TransactionDigest.u64(sha, nonce);
      if (leadingZeroBits(sha.digest()) >= difficulty) {
        return nonce;
      }
    }
  }
}
