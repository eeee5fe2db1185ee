package online.hypermesh.protocol.stoq;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A self-signed ECDSA P-256 server certificate made in memory, for a node started without key
 * files (development, tests). Nobody can pin it in advance, so it only makes sense with clients
 * that accept any certificate; real identity comes from TrustChain (later issue).
 *
 * <p>Built with Bouncy Castle's certificate builder but signed through the JDK's own EC provider,
 * so no security provider is installed JVM-wide.
 */
public record EphemeralCertificate(PrivateKey privateKey, X509Certificate certificate) {

  private static final Duration VALIDITY = Duration.ofDays(30);
  /** Tolerates clock skew between nodes. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  public EphemeralCertificate {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(certificate, "certificate");
  }

  /**
   * @param commonName subject CN
   * @param dnsNames subjectAltName DNS entries (e.g. localhost)
   * @param addresses subjectAltName IP entries (e.g. ::1), so clients that verify the peer address
   *     against the certificate accept it
   */
  public static EphemeralCertificate generate(
      String commonName, Collection<String> dnsNames, Collection<InetAddress> addresses) {
    try {
      SecureRandom random = new SecureRandom();
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair keyPair = generator.generateKeyPair();

      X500Name subject = new X500Name("CN=" + commonName);
      Instant now = Instant.now();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(127, random).add(BigInteger.ONE),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(VALIDITY)),
              subject,
              keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      List<GeneralName> names = new ArrayList<>();
      for (String dns : dnsNames) {
        names.add(new GeneralName(GeneralName.dNSName, dns));
      }
      for (InetAddress address : addresses) {
        names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
      }
      if (!names.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
      return new EphemeralCertificate(keyPair.getPrivate(), certificate);
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot generate an ephemeral certificate", e);
    }
  }

  /** Writes the key (PKCS#8 PEM) and certificate (PEM), e.g. to keep a dev identity stable. */
  public void writePem(Path keyFile, Path certFile) throws IOException {
    writePemObject(keyFile, new JcaPKCS8Generator(privateKey, null));
    writePemObject(certFile, certificate);
  }

  private static void writePemObject(Path file, Object object) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      if (object instanceof PemObjectGenerator generator) {
        pem.writeObject(generator);
      } else {
        pem.writeObject(object);
      }
    }
  }
}
