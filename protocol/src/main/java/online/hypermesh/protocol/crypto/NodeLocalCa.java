package online.hypermesh.protocol.crypto;

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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A node-local certificate authority with a FALCON-1024 key: creates its self-signed root and
 * issues FALCON-1024 leaf certificates for nodes and clients. The seed of TrustChain; nothing
 * here touches the network or disk (see {@link PqPem} for files).
 *
 * <p>Root: {@code CN=<name>}, basicConstraints CA (path length 0, critical), keyUsage
 * keyCertSign + cRLSign (critical). Leaf: {@code CN=<commonName>, OU=<role>}, basicConstraints
 * not-CA (critical), keyUsage digitalSignature (critical), extendedKeyUsage (node: serverAuth +
 * clientAuth; client: clientAuth), subjectAltName with the DNS names and IP addresses, subject
 * and authority key identifiers, a random positive 128-bit serial.
 */
public final class NodeLocalCa {

  private final PrivateKey key;
  private final X509Certificate certificate;

  private NodeLocalCa(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A CA from an existing key and root certificate (e.g. read with {@link PqPem}). */
  public static NodeLocalCa of(PrivateKey key, X509Certificate certificate) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(certificate, "certificate");
    if (!Falcon.isFalcon1024(key) || !Falcon.isFalcon1024(certificate.getPublicKey())) {
      throw new IllegalArgumentException("a NodeLocalCa needs a FALCON-1024 key and certificate");
    }
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate is not a CA certificate");
    }
    return new NodeLocalCa(key, certificate);
  }

  /** Generates a key pair and a self-signed root valid from a minute ago for {@code validity}. */
  public static NodeLocalCa create(String name, Duration validity) {
    Objects.requireNonNull(name, "name");
    KeyPair pair = Falcon.generateKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  randomSerial(),
                  Date.from(now.minusSeconds(60)),
                  Date.from(now.plus(validity)),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils.createSubjectKeyIdentifier(pair.getPublic()));
      return new NodeLocalCa(pair.getPrivate(), sign(builder, pair.getPrivate()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create CA certificate: " + e, e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA's private key (to write it encrypted with {@link PqPem}). */
  public PrivateKey privateKey() {
    return key;
  }

  /** Issues a leaf certificate for {@code publicKey} (a FALCON-1024 key). */
  public X509Certificate issue(PublicKey publicKey, LeafSpec spec) {
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(spec, "spec");
    if (!Falcon.isFalcon1024(publicKey)) {
      throw new IllegalArgumentException("leaf keys must be FALCON-1024: " + publicKey.getAlgorithm());
    }
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, spec.commonName())
            .addRDN(BCStyle.OU, spec.role().unit())
            .build();
    List<GeneralName> names = new ArrayList<>();
    for (String dns : spec.dnsNames()) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress address : spec.ipAddresses()) {
      names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
    }
    KeyPurposeId[] purposes =
        spec.role() == CertificateRole.NODE
            ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
            : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  randomSerial(),
                  Date.from(spec.notBefore()),
                  Date.from(spec.notAfter()),
                  subject,
                  publicKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
              .addExtension(
                  Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  utils.createAuthorityKeyIdentifier(certificate));
      if (!names.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return sign(builder, key);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue certificate: " + e, e);
    }
  }

  /** Generates a FALCON-1024 key pair and issues its certificate; chain = leaf, root. */
  public Identity issueIdentity(LeafSpec spec) {
    KeyPair pair = Falcon.generateKeyPair();
    return new Identity(pair.getPrivate(), List.of(issue(pair.getPublic(), spec), certificate));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
      throws GeneralSecurityException {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(Falcon.ALGORITHM).setProvider(Pq.BC).build(signingKey);
      return new JcaX509CertificateConverter()
          .setProvider(Pq.BC)
          .getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("no FALCON-1024 content signer: " + e.getMessage(), e);
    }
  }

  private static BigInteger randomSerial() {
    return new BigInteger(1, Pq.randomBytes(16)).setBit(126).clearBit(127);
  }
}
