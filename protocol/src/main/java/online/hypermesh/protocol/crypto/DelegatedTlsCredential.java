package online.hypermesh.protocol.crypto;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A classical TLS key (ECDSA P-256) delegated by a FALCON-1024 identity: its certificate is signed
 * by the identity's FALCON key, so the chain reads TLS certificate → identity leaf → ... → CA.
 *
 * <p>Why: TLS stacks that cannot use FALCON keys (the JDK's, under Pekko Artery) still get peers
 * authenticated by certificates the node CA / TrustChain issued. The FALCON leaf must be a NODE
 * (or CLIENT) leaf, which is not a CA, so the standard PKIX path check would refuse the chain;
 * {@link #verify} checks it instead: the identity chain with {@link CertificateVerifier} (trust
 * anchor, validity, revocation, role), then the delegation signature and the delegated
 * certificate's own validity. What it does not give: the TLS session's key exchange and
 * handshake signature stay classical (ECDHE, ECDSA), so against a quantum adversary this protects
 * only as much as classical TLS does; the identity behind it is post-quantum.
 *
 * @param privateKey the TLS private key (EC)
 * @param chain delegated certificate first, then the identity chain
 */
public record DelegatedTlsCredential(PrivateKey privateKey, List<X509Certificate> chain) {

  /** Tolerates clock skew between peers. */
  private static final Duration BACKDATE = Duration.ofMinutes(10);

  public DelegatedTlsCredential {
    Objects.requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
    if (chain.size() < 2) {
      throw new IllegalArgumentException("a delegated chain holds the TLS certificate and its identity");
    }
  }

  /**
   * Makes a fresh EC key and a certificate for it signed by {@code identity}'s FALCON key, valid
   * while the identity's leaf is (at most {@code maxValidity} from now).
   */
  public static DelegatedTlsCredential delegate(Identity identity, Duration maxValidity) {
    Objects.requireNonNull(identity, "identity");
    X509Certificate leaf = identity.leaf();
    Instant now = Instant.now();
    Instant until = now.plus(maxValidity);
    if (leaf.getNotAfter().toInstant().isBefore(until)) {
      until = leaf.getNotAfter().toInstant();
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), Pq.RANDOM);
      KeyPair pair = generator.generateKeyPair();
      X500Name issuer = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  issuer,
                  new BigInteger(127, Pq.RANDOM).add(BigInteger.ONE),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(until),
                  issuer,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .setProvider(Pq.BC)
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder(Falcon.ALGORITHM)
                          .setProvider(Pq.BC)
                          .build(identity.privateKey())));
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(certificate);
      chain.addAll(identity.chain());
      return new DelegatedTlsCredential(pair.getPrivate(), chain);
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot make a delegated TLS certificate: " + e, e);
    }
  }

  /**
   * Checks a chain a TLS peer presented: the identity part (everything after the first
   * certificate) with {@code verifier} for {@code role}, then that the first certificate is
   * signed by the identity leaf's FALCON key, names it as issuer and is within its validity.
   *
   * @return the verified identity
   */
  public static VerifiedCertificate verify(
      X509Certificate[] presented, CertificateVerifier verifier, CertificateRole role, Clock clock)
      throws CertificateRejectedException {
    if (presented == null || presented.length < 2) {
      throw new CertificateRejectedException(
          CertificateRejectedException.Reason.MALFORMED_CHAIN,
          "expected a delegated TLS certificate followed by a FALCON identity chain, got "
              + (presented == null ? 0 : presented.length) + " certificate(s)");
    }
    List<X509Certificate> parsed = reparse(presented);
    X509Certificate delegated = parsed.get(0);
    VerifiedCertificate identity = verifier.verify(parsed.subList(1, parsed.size()), null, role);
    X509Certificate leaf = identity.leaf();
    if (!delegated.getIssuerX500Principal().equals(leaf.getSubjectX500Principal())) {
      throw new CertificateRejectedException(
          CertificateRejectedException.Reason.UNTRUSTED,
          "the TLS certificate is issued by " + delegated.getIssuerX500Principal()
              + ", not by the presented identity " + leaf.getSubjectX500Principal());
    }
    try {
      delegated.verify(leaf.getPublicKey(), Pq.BC);
    } catch (Exception e) {
      throw new CertificateRejectedException(
          CertificateRejectedException.Reason.UNTRUSTED,
          "the TLS certificate is not signed by the FALCON key of " + identity.commonName());
    }
    try {
      delegated.checkValidity(Date.from(clock.instant()));
    } catch (CertificateExpiredException e) {
      throw new CertificateRejectedException(
          CertificateRejectedException.Reason.EXPIRED,
          "the TLS certificate of " + identity.commonName() + " expired at "
              + delegated.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new CertificateRejectedException(
          CertificateRejectedException.Reason.NOT_YET_VALID,
          "the TLS certificate of " + identity.commonName() + " is not valid before "
              + delegated.getNotBefore().toInstant());
    }
    return identity;
  }

  /**
   * The JDK's TLS stack parses certificates with its own provider, which knows no FALCON keys;
   * read them again with Bouncy Castle so the keys and signatures can be checked.
   */
  private static List<X509Certificate> reparse(X509Certificate[] presented)
      throws CertificateRejectedException {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Pq.BC);
      List<X509Certificate> parsed = new ArrayList<>();
      for (X509Certificate certificate : presented) {
        if (certificate == null) {
          throw new CertificateException("null certificate");
        }
        parsed.add(
            (X509Certificate)
                factory.generateCertificate(new ByteArrayInputStream(certificate.getEncoded())));
      }
      return parsed;
    } catch (CertificateException e) {
      throw new CertificateRejectedException(
          CertificateRejectedException.Reason.MALFORMED_CHAIN,
          "unreadable certificate: " + e.getMessage());
    }
  }
}
