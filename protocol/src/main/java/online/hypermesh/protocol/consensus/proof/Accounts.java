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

  /**
   * The account of a certificate's FALCON-1024 key, if {@code der} is exactly one X.509
   * certificate (trailing bytes refused) with such a key. Parses only: trust is PoStake's check.
   */
  public static java.util.Optional<byte[]> ofCertificate(byte[] der) {
    try {
      java.security.cert.X509Certificate c = (java.security.cert.X509Certificate)
          java.security.cert.CertificateFactory.getInstance("X.509",
                  online.hypermesh.protocol.crypto.Pq.BC)
              .generateCertificate(new java.io.ByteArrayInputStream(der));
      if (c == null || !java.util.Arrays.equals(c.getEncoded(), der)
          || !online.hypermesh.protocol.crypto.Falcon.isFalcon1024(c.getPublicKey())) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(id(c.getPublicKey()));
    } catch (Exception e) {
      return java.util.Optional.empty();
    }
  }
}
