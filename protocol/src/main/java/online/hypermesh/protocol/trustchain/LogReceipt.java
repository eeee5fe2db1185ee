package online.hypermesh.protocol.trustchain;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * A log's signed promise that a leaf is in the log at {@code leafIndex} (like RFC 6962's signed
 * certificate timestamp, but naming the index: the log appends before it answers, so it can).
 * A holder later asks for an inclusion proof of that index against a signed tree head.
 *
 * <p>Signed bytes, big-endian, 50 bytes (see {@link #signedBytes}):
 *
 * <pre>
 * u8  version         = 1
 * u8  signature type  = 0 (receipt; tree heads use 1)
 * u64 timestamp       milliseconds since the epoch
 * u8[32] leaf hash    SHA-256(0x00 || entry)
 * u64 leaf index
 * </pre>
 */
public record LogReceipt(byte[] logId, long timestampMillis, long leafIndex, byte[] signature) {

  public static final int VERSION = 1;
  static final int TYPE_RECEIPT = 0;

  public LogReceipt {
    Objects.requireNonNull(logId, "logId");
    Objects.requireNonNull(signature, "signature");
    logId = logId.clone();
    signature = signature.clone();
  }

  /** The exact bytes the log signs. */
  public static byte[] signedBytes(long timestampMillis, byte[] leafHash, long leafIndex) {
    if (leafIndex < 0) {
      throw new IllegalArgumentException("negative leaf index " + leafIndex);
    }
    if (leafHash == null || leafHash.length != MerkleHashes.HASH_BYTES) {
      throw new IllegalArgumentException("leaf hash must be 32 bytes");
    }
    return ByteBuffer.allocate(2 + 8 + MerkleHashes.HASH_BYTES + 8)
        .put((byte) VERSION)
        .put((byte) TYPE_RECEIPT)
        .putLong(timestampMillis)
        .put(leafHash)
        .putLong(leafIndex)
        .array();
  }

  /** Checks that the log with {@code logKey} signed this receipt for {@code leafHash}. */
  public LogSignatureVerdict verify(PublicKey logKey, byte[] leafHash) {
    LogSignatureVerdict keyCheck = LogSigner.checkKey(logKey, logId);
    if (keyCheck != null) {
      return keyCheck;
    }
    if (leafIndex < 0 || leafHash == null || leafHash.length != MerkleHashes.HASH_BYTES) {
      return LogSignatureVerdict.refused(LogSignatureVerdict.Failure.MALFORMED,
          "leaf index " + leafIndex + " or leaf hash is malformed");
    }
    if (!Falcon.verify(logKey, signature, signedBytes(timestampMillis, leafHash, leafIndex))) {
      return LogSignatureVerdict.refused(LogSignatureVerdict.Failure.BAD_SIGNATURE,
          "the signature does not cover this leaf at index " + leafIndex + " and time "
              + timestampMillis);
    }
    return LogSignatureVerdict.valid();
  }

  @Override
  public byte[] logId() {
    return logId.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LogReceipt o
        && timestampMillis == o.timestampMillis
        && leafIndex == o.leafIndex
        && Arrays.equals(logId, o.logId)
        && Arrays.equals(signature, o.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(timestampMillis, leafIndex, Arrays.hashCode(logId),
        Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "LogReceipt[log=" + ProofEncoding.base64(logId) + ", timestamp=" + timestampMillis
        + ", index=" + leafIndex + "]";
  }
}
