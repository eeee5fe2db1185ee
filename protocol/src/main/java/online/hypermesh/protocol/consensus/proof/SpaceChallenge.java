package online.hypermesh.protocol.consensus.proof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The PoSpace challenge: k leaf indices derived from a recent block hash (the block the
 * transaction's {@link TimeProof} names), the transaction id and the hashcash nonce, so neither
 * the sender alone nor the block alone picks them, and the sender learns them only once that
 * block exists.
 *
 * <p>Why the hashcash nonce: a sender that keeps only part of its plot could otherwise vary the
 * transaction's nonce, at the cost of one hash per try, until a challenge falls on leaves it kept.
 * With the work nonce in the seed, every try costs a hashcash solution (2^difficulty hashes).
 *
 * <p>{@code seed = SHA-256(block("hypermesh/nkrypt/challenge/v1") || block(block hash) ||
 * block(transaction id) || u64 hashcash nonce)}; index j is the first 8 bytes of {@code SHA-256(seed || u32 j)}, as an
 * unsigned number, modulo the plot's leaf count (bias below 2^-32 for plots of at most 2^32
 * leaves). Indices may repeat.
 */
public final class SpaceChallenge {

  private static final byte[] TAG =
      "hypermesh/nkrypt/challenge/v1".getBytes(StandardCharsets.US_ASCII);

  private SpaceChallenge() {}

  public static long[] indices(
      byte[] blockHash, byte[] transactionId, long workNonce, long leafCount, int k) {
    if (leafCount < 1) {
      throw new IllegalArgumentException("leaf count must be positive");
    }
    if (k < 0 || k > ChainParameters.MAX_CHALLENGES) {
      throw new IllegalArgumentException("challenge count " + k + " out of range");
    }
    MessageDigest sha = TransactionDigest.sha256();
    TransactionDigest.block(sha, TAG);
    TransactionDigest.block(sha, blockHash);
    TransactionDigest.block(sha, transactionId);
    TransactionDigest.u64(sha, workNonce);
    byte[] seed = sha.digest();
    long[] indices = new long[k];
    for (int j = 0; j < k; j++) {
      sha.update(seed);
      sha.update(new byte[] {(byte) (j >>> 24), (byte) (j >>> 16), (byte) (j >>> 8), (byte) j});
      byte[] out = sha.digest();
      long value = 0;
      for (int b = 0; b < 8; b++) {
        value = (value << 8) | (out[b] & 0xff);
      }
      indices[j] = Long.remainderUnsigned(value, leafCount);
    }
    return indices;
  }
}
