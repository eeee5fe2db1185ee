package online.hypermesh.protocol.trustchain;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.Pq;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TrustChain's two-level FALCON-1024 hierarchy: an offline-style root (path length 1) that only
 * certifies the intermediate, and the intermediate (path length 0) that signs every leaf. A
 * compromised intermediate can be replaced under the same root, so peers keep their trust anchor.
 *
 * <p>Leaf layout: subject {@code CN=<common name>, OU=<node|client>, L=<region>} (the region is
 * the subject's locality, so every X.509 tool shows it and it is covered by the signature; a
 * validator is {@code OU=node}, a user {@code OU=client}, see {@link TrustRole}); critical
 * basicConstraints not-CA and keyUsage digitalSignature; extendedKeyUsage serverAuth+clientAuth
 * for nodes, clientAuth for clients; subjectAltName with the DNS names and IPv6 addresses;
 * subject and authority key identifiers; the serial the caller chose (positive, 127 bits).
 *
 * <p>Thread-safe: signing creates its own signer per certificate.
 */
public final class CertificateIssuer {

  /** The hierarchy as generated: both key pairs and both certificates. */
  public record Hierarchy(KeyPair root, X509Certificate rootCertificate, KeyPair intermediate,
                          X509Certificate intermediateCertificate) {
  }

  private final PrivateKey intermediateKey;
  private final X509Certificate intermediate;
  private final X509Certificate root;

  private CertificateIssuer(PrivateKey intermediateKey, X509Certificate intermediate, X509Certificate root) {
    this.intermediateKey = intermediateKey;
    this.intermediate = intermediate;
    this.root = root;
  }

  /**
   * An issuer from stored material; checks that the intermediate is a CA certificate signed by the
   * root and that the key is the intermediate's.
   */
  public static CertificateIssuer of(PrivateKey intermediateKey, X509Certificate intermediate, X509Certificate root) {
    Objects.requireNonNull(intermediateKey, "intermediateKey");
    Objects.requireNonNull(intermediate, "intermediate");
    Objects.requireNonNull(root, "root");
    if (!Falcon.isFalcon1024(intermediateKey) || !Falcon.isFalcon1024(intermediate.getPublicKey())
        || !Falcon.isFalcon1024(root.getPublicKey())) {
      throw new IllegalArgumentException("the TrustChain hierarchy must be FALCON-1024 throughout");
    }
    if (intermediate.getBasicConstraints() < 0 || root.getBasicConstraints() < 1) {
      throw new IllegalArgumentException("the root needs path length >= 1 and the intermediate must be a CA");
    }
    try {
      intermediate.verify(root.getPublicKey(), Pq.BC);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the intermediate is not signed by the root: " + e.getMessage(), e);
    }
    byte[] probe = Pq.randomBytes(32);
    if (!Falcon.verify(intermediate.getPublicKey(), Falcon.sign(intermediateKey, probe), probe)) {
      throw new IllegalArgumentException("the private key does not belong to the intermediate certificate");
    }
    return new CertificateIssuer(intermediateKey, intermediate, root);
  }

  /** Generates a root and an intermediate under it. */
  public static Hierarchy createHierarchy(String name, Duration rootValidity, Duration intermediateValidity) {
    KeyPair rootKeys = Falcon.generateKeyPair();
    KeyPair intermediateKeys = Falcon.generateKeyPair();
    X500Name rootName = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name + " root").build();
    X500Name intermediateName = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, name + " intermediate").build();
    Instant now = Instant.now();
    X509Certificate root = caCertificate(rootName, rootName, rootKeys.getPublic(), rootKeys.getPrivate(), null,
        1, now, now.plus(rootValidity));
    Instant intermediateEnd = now.plus(intermediateValidity).isAfter(now.plus(rootValidity))
        ? now.plus(rootValidity) : now.plus(intermediateValidity);
    X509Certificate intermediate = caCertificate(intermediateName, rootName, intermediateKeys.getPublic(),
        rootKeys.getPrivate(), root, 0, now, intermediateEnd);
    return new Hierarchy(rootKeys, root, intermediateKeys, intermediate);
  }

  public X509Certificate root() {
    return root;
  }

  public X509Certificate intermediate() {
    return intermediate;
  }

  /** What a holder presents after its leaf: intermediate, root. */
  public List<X509Certificate> chain() {
    return List.of(intermediate, root);
  }

  /** A fresh random positive serial of 127 bits (RFC 5280: at most 20 octets, positive). */
  public static BigInteger randomSerial() {
    return new BigInteger(1, Pq.randomBytes(16)).setBit(126).clearBit(127);
  }

  /** Signs the certificate the policy approved; the validity is clipped to the intermediate's. */
  public X509Certificate issue(IssuanceDecision.Approved approved, BigInteger serial) {
    Objects.requireNonNull(approved, "approved");
    Objects.requireNonNull(serial, "serial");
    if (serial.signum() <= 0 || serial.bitLength() > 159) {
      throw new IllegalArgumentException("serial must be positive and at most 20 octets");
    }
    LeafSpec spec = approved.leafSpec();
    PublicKey publicKey = approved.subjectKey();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, spec.commonName())
        .addRDN(BCStyle.OU, spec.role().unit())
        .addRDN(BCStyle.L, approved.region())
        .build();
    List<GeneralName> names = new ArrayList<>();
    for (String dns : spec.dnsNames()) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress address : spec.ipAddresses()) {
      names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address.getAddress())));
    }
    KeyPurposeId[] purposes = spec.role() == CertificateRole.NODE
        ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
        : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
    Instant notAfter = spec.notAfter().isAfter(intermediate.getNotAfter().toInstant())
        ? intermediate.getNotAfter().toInstant() : spec.notAfter();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(intermediate, serial,
          Date.from(spec.notBefore()), Date.from(notAfter), subject, publicKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(intermediate));
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return sign(builder, intermediateKey);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue certificate: " + e, e);
    }
  }

  private static X509Certificate caCertificate(X500Name subject, X500Name issuer, PublicKey key, PrivateKey signer,
                                               X509Certificate issuerCertificate, int pathLength, Instant from,
                                               Instant until) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, randomSerial(),
          Date.from(from.minusSeconds(60)), Date.from(until), subject, key)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
      if (issuerCertificate != null) {
        builder.addExtension(Extension.authorityKeyIdentifier, false,
            utils.createAuthorityKeyIdentifier(issuerCertificate));
      }
      return sign(builder, signer);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create CA certificate: " + e, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().setProvider(Pq.BC)
          .getCertificate(builder.build(new JcaContentSignerBuilder(Falcon.ALGORITHM).setProvider(Pq.BC).build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("no FALCON-1024 content signer: " + e.getMessage(), e);
    }
  }
}
