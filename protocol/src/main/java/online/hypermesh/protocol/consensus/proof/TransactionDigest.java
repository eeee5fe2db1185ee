package online.hypermesh.protocol.consensus.proof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The canonical transaction digest (also its id) and the bytes the sender signs.
 *
 * <p>Digest, version 1: SHA-256 over the following, integers big-endian, where {@code block(x)}
 * is a u32 length followed by the bytes of x (so no two different field sequences hash the same
 * bytes):
 *
 * <pre>
 * block("hypermesh/nkrypt/tx/v1")
 * u8    kind code                      (TransactionKind#code)
 * block(payload)
 * u8    n = number of certificates; then n times block(certificate DER), leaf first
 * u64   nonce
 * u64   timestamp, milliseconds since the epoch
 * u8    0 | 1 then block(job id), block(result digest)          job claim, if any
 * u8    0 | 1 then u64 tick count, block(tick hash)             PoTime reference, if any
 * u8    0 | 1 then block(IPv6 address, 16 bytes), block(region UTF-8)   PoSpace claim, if any
 * </pre>
 *
 * <p>Left out, because each is computed from the digest: the stake signature, the hashcash nonce
 * and the storage answer.
 */
public final class TransactionDigest {

  public static final int BYTES = 32;
  private static final byte[] TX_TAG = "hypermesh/nkrypt/tx/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STAKE_TAG =
      "hypermesh/nkrypt/stake/v1".getBytes(StandardCharsets.US_ASCII);

  private TransactionDigest() {}

  /** The digest of {@code tx}: its transaction id. */
  public static byte[] of(Transaction tx) {
    MessageDigest sha = sha256();
    block(sha, TX_TAG);
    sha.update((byte) tx.kind().code());
    block(sha, tx.payloadBytes());
    sha.update((byte) tx.chainBytes().size());
    for (byte[] der : tx.chainBytes()) {
      block(sha, der);
    }
    u64(sha, tx.nonce());
    u64(sha, tx.timestampMillis());
    JobClaim job = tx.job();
    if (job == null) {
      sha.update((byte) 0);
    } else {
      sha.update((byte) 1);
      block(sha, job.jobId());
      block(sha, job.resultDigest());
    }
    TimeProof time = tx.time();
    if (time == null) {
      sha.update((byte) 0);
    } else {
      sha.update((byte) 1);
      u64(sha, time.tickCount());
      block(sha, time.tickHash());
    }
    SpaceProof space = tx.space();
    if (space == null) {
      sha.update((byte) 0);
    } else {
      sha.update((byte) 1);
      block(sha, space.claim().address());
      block(sha, space.claim().region().getBytes(StandardCharsets.UTF_8));
    }
    return sha.digest();
  }

  /**
   * What the sender's FALCON-1024 key signs: {@code block("hypermesh/nkrypt/stake/v1") ||
   * digest}. The tag keeps a transaction signature from being replayed as any other signed
   * 32-byte value (a vote, a block hash) made with the same key.
   */
  public static byte[] signedBytes(byte[] digest) {
    byte[] out = new byte[4 + STAKE_TAG.length + digest.length];
    out[3] = (byte) STAKE_TAG.length;
    System.arraycopy(STAKE_TAG, 0, out, 4, STAKE_TAG.length);
    System.arraycopy(digest, 0, out, 4 + STAKE_TAG.length, digest.length);
    return out;
  }

  static void block(MessageDigest sha, byte[] bytes) {
    int n = bytes.length;
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    sha.update(bytes);
  }

  static void u64(MessageDigest sha, long value) {
    byte[] bytes = new byte[8];
    for (int i = 7; i >= 0; i--) {
      bytes[i] = (byte) value;
      value >>>= 8;
    }
    sha.update(bytes);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
