package online.hypermesh.protocol.consensus.proof;

import java.security.PublicKey;

/**
 * Account ids: SHA-256 of the FALCON-1024 public key's X.509 SubjectPublicKeyInfo encoding
 * ({@link PublicKey#getEncoded}). Stake, plots and regions are keyed by it, so a renewed
 * certificate for the same key keeps its account.
 */
public final class Accounts {

  public static final int ID_BYTES = 32;

  private Accounts() {}

  public static byte[] id(PublicKey key) {
    return TransactionDigest.sha256().digest(key.getEncoded());
  }
}
