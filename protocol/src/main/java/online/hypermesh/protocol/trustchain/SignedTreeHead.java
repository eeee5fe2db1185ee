package online.hypermesh.protocol.trustchain;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * A log's signed statement "my tree of {@code treeSize} leaves has root {@code rootHash}"
 * (RFC 6962 section 3.5, with FALCON-1024 instead of ECDSA).
 *
 * <p>Signed bytes, big-endian, 50 bytes (see {@link #signedBytes}):
 *
 * <pre>
 * u8  version         = 1
 * u8  signature type  = 1 (tree head; receipts use 0, so one can never pass for the other)
 * u64 tree size
 * u64 timestamp       milliseconds since the epoch
 * u8[32] root hash    MTH of the first tree-size leaves
 * </pre>
 *
 * <p>The log id is not signed: it is a function of the verifying key, and {@link #verify} checks
 * that it matches.
 */
public record SignedTreeHead(
    long treeSize, long timestampMillis, byte[] rootHash, byte[] logId, byte[] signature) {

  public static final int VERSION = 1;
  static final int TYPE_TREE_HEAD = 1;

  public SignedTreeHead {
    Objects.requireNonNull(rootHash, "rootHash");
    Objects.requireNonNull(logId, "logId");
    Objects.requireNonNull(signature, "signature");
    rootHash = rootHash.clone();
    logId = logId.clone();
    signature = signature.clone();
  }

  /** The exact bytes the log signs. */
  public static byte[] signedBytes(long treeSize, long timestampMillis, byte[] rootHash) {
    if (treeSize < 0) {
      throw new IllegalArgumentException("negative tree size " + treeSize);
    }
    if (rootHash == null || rootHash.length != MerkleHashes.HASH_BYTES) {
      throw new IllegalArgumentException("root hash must be 32 bytes");
    }
    return ByteBuffer.allocate(2 + 8 + 8 + MerkleHashes.HASH_BYTES)
        .put((byte) VERSION)
        .put((byte) TYPE_TREE_HEAD)
        .putLong(treeSize)
        .putLong(timestampMillis)
        .put(rootHash)
        .array();
  }

  /** Checks the head against the log's public key: key type, log id, then the signature. */
  public LogSignatureVerdict verify(PublicKey logKey) {
    LogSignatureVerdict keyCheck = LogSigner.checkKey(logKey, logId);
    if (keyCheck != null) {
      return keyCheck;
    }
    if (treeSize < 0 || rootHash.length != MerkleHashes.HASH_BYTES) {
      return LogSignatureVerdict.refused(LogSignatureVerdict.Failure.MALFORMED,
          "tree size " + treeSize + ", root of " + rootHash.length + " bytes");
    }
    if (!Falcon.verify(logKey, signature, signedBytes(treeSize, timestampMillis, rootHash))) {
      return LogSignatureVerdict.refused(LogSignatureVerdict.Failure.BAD_SIGNATURE,
          "the signature does not cover tree size " + treeSize + " at " + timestampMillis
              + " with this root");
    }
    return LogSignatureVerdict.valid();
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
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
    return other instanceof SignedTreeHead o
        && treeSize == o.treeSize
        && timestampMillis == o.timestampMillis
        && Arrays.equals(rootHash, o.rootHash)
        && Arrays.equals(logId, o.logId)
        && Arrays.equals(signature, o.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(treeSize, timestampMillis, Arrays.hashCode(rootHash),
        Arrays.hashCode(logId), Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "SignedTreeHead[size=" + treeSize + ", timestamp=" + timestampMillis + ", root="
        + ProofEncoding.base64(rootHash) + ", log=" + ProofEncoding.base64(logId) + "]";
  }
}
