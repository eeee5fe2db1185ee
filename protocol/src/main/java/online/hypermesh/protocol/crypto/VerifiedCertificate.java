package online.hypermesh.protocol.crypto;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A chain {@link CertificateVerifier} accepted: the leaf, its role and common name.
 *
 * @param chain the chain as presented, leaf first
 */
public record VerifiedCertificate(
    X509Certificate leaf, String commonName, CertificateRole role, List<X509Certificate> chain) {

  public VerifiedCertificate {
    chain = List.copyOf(chain);
  }

  public PublicKey publicKey() {
    return leaf.getPublicKey();
  }

  public BigInteger serial() {
    return leaf.getSerialNumber();
  }
}
