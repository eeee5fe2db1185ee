package online.hypermesh.protocol.trustchain;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * A log's FALCON-1024 signing key: signs tree heads ({@link SignedTreeHead}) and receipts for
 * appended leaves ({@link LogReceipt}). The log id is SHA-256 of the public key's X.509
 * SubjectPublicKeyInfo DER, as RFC 6962 section 3.2 defines a log's key id, so anyone holding
 * the key can compute it and a signature cannot be attributed to another log.
 */
public final class LogSigner {

  private final KeyPair keyPair;
  private final byte[] logId;

  public LogSigner(KeyPair keyPair) {
    Objects.requireNonNull(keyPair, "keyPair");
    if (!Falcon.isFalcon1024(keyPair.getPrivate()) || !Falcon.isFalcon1024(keyPair.getPublic())) {
      throw new IllegalArgumentException("a log signs with a FALCON-1024 key pair");
    }
    this.keyPair = keyPair;
    this.logId = logIdOf(keyPair.getPublic());
  }

  /** A signer with a freshly generated FALCON-1024 key pair. */
  public static LogSigner generate() {
    return new LogSigner(Falcon.generateKeyPair());
  }

  /** SHA-256 of the key's SubjectPublicKeyInfo DER. */
  public static byte[] logIdOf(PublicKey key) {
    Objects.requireNonNull(key, "key");
    if (!"X.509".equals(key.getFormat()) || key.getEncoded() == null) {
      throw new IllegalArgumentException("public key has no X.509 SubjectPublicKeyInfo encoding");
    }
    return MerkleHashes.sha256(key.getEncoded());
  }

  public PublicKey publicKey() {
    return keyPair.getPublic();
  }

  public byte[] logId() {
    return logId.clone();
  }

  public SignedTreeHead signTreeHead(long treeSize, long timestampMillis, byte[] rootHash) {
    byte[] signed = SignedTreeHead.signedBytes(treeSize, timestampMillis, rootHash);
    return new SignedTreeHead(
        treeSize, timestampMillis, rootHash, logId, Falcon.sign(keyPair.getPrivate(), signed));
  }

  /** Signs the current head of {@code log}. */
  public SignedTreeHead signTreeHead(MerkleLog log, long timestampMillis) {
    return signTreeHead(log.size(), timestampMillis, log.root());
  }

  public LogReceipt receipt(long leafIndex, byte[] leafHash, long timestampMillis) {
    byte[] signed = LogReceipt.signedBytes(timestampMillis, leafHash, leafIndex);
    return new LogReceipt(
        logId, timestampMillis, leafIndex, Falcon.sign(keyPair.getPrivate(), signed));
  }

  /** Shared first checks of both verifications: key type and log id. Null when they pass. */
  static LogSignatureVerdict checkKey(PublicKey key, byte[] claimedLogId) {
    if (!Falcon.isFalcon1024(key)) {
      return LogSignatureVerdict.refused(LogSignatureVerdict.Failure.KEY_NOT_FALCON_1024,
          "log key is " + (key == null ? "missing" : key.getAlgorithm()) + ", not FALCON-1024");
    }
    if (!MessageDigest.isEqual(logIdOf(key), claimedLogId)) {
      return LogSignatureVerdict.refused(LogSignatureVerdict.Failure.WRONG_LOG_ID,
          "signed by log " + ProofEncoding.base64(claimedLogId) + ", not by the key's log "
              + ProofEncoding.base64(logIdOf(key)));
    }
    return null;
  }
}
