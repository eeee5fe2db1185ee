package online.hypermesh.protocol.stoq;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Identity;

/**
 * Who an endpoint is in the STOQ handshake and whom it trusts.
 *
 * @param falconKey this endpoint's FALCON-1024 private key
 * @param chain its certificate chain, leaf first (the leaf must carry the key's public half)
 * @param trustAnchor the CA root that peers' chains must lead to
 * @param revoked serials refused wherever they appear in a peer's chain; read at every handshake,
 *     so a concurrent set the caller updates takes effect for new connections
 */
public record StoqIdentity(
    PrivateKey falconKey,
    List<X509Certificate> chain,
    X509Certificate trustAnchor,
    Set<BigInteger> revoked) {

  public StoqIdentity {
    Objects.requireNonNull(falconKey, "falconKey");
    Objects.requireNonNull(trustAnchor, "trustAnchor");
    Objects.requireNonNull(revoked, "revoked");
    chain = List.copyOf(chain);
    if (chain.isEmpty() || chain.size() > HandshakeMessage.MAX_CERTIFICATES) {
      throw new IllegalArgumentException(
          "chain must hold 1.." + HandshakeMessage.MAX_CERTIFICATES + " certificates");
    }
    if (!Falcon.isFalcon1024(falconKey)) {
      throw new IllegalArgumentException("STOQ identities use FALCON-1024 keys");
    }
  }

  public static StoqIdentity of(
      Identity identity, X509Certificate trustAnchor, Set<BigInteger> revoked) {
    return new StoqIdentity(identity.privateKey(), identity.chain(), trustAnchor, revoked);
  }

  CertificateVerifier verifier() {
    return new CertificateVerifier(trustAnchor, revoked);
  }
}
