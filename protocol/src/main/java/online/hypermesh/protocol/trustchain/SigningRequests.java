package online.hypermesh.protocol.trustchain;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Pq;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certificate requests (RFC 2986) signed with the subject's own FALCON-1024 key, which is
 * the proof that the requester holds the private key of the public key it wants certified.
 *
 * <p>Layout: subject {@code CN=<common name>, OU=<role>, L=<region>}; one extensionRequest
 * attribute (PKCS#9) holding a subjectAltName with the DNS names and IP addresses. Nothing else:
 * validity is not part of PKCS#10, it is asked for next to the CSR (see {@link IssuancePolicy}).
 * PEM is the "CERTIFICATE REQUEST" block OpenSSL reads ({@code openssl req -text}; OpenSSL parses
 * but cannot verify Bouncy Castle's experimental Falcon OID).
 */
public final class SigningRequests {

  private SigningRequests() {}

  /** Builds and signs a CSR for {@code subject}'s public key with its private key. */
  public static PKCS10CertificationRequest create(KeyPair subject, CertificateRequestSpec spec) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(spec, "spec");
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, spec.commonName())
            .addRDN(BCStyle.OU, spec.role().unit())
            .addRDN(BCStyle.L, spec.region())
            .build();
    List<GeneralName> names = new ArrayList<>();
    for (String dns : spec.dnsNames()) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress address : spec.ipAddresses()) {
      // Raw octets, so an IPv4 address stays 4 bytes and the policy can see what was asked.
      names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address.getAddress())));
    }
    try {
      PKCS10CertificationRequestBuilder builder =
          new JcaPKCS10CertificationRequestBuilder(name, subject.getPublic());
      if (!names.isEmpty()) {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
        builder.addAttribute(
            PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
      }
      ContentSigner signer =
          new JcaContentSignerBuilder(Falcon.ALGORITHM)
              .setProvider(Pq.BC)
              .build(subject.getPrivate());
      return builder.build(signer);
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalArgumentException("cannot build the certificate request: " + e, e);
    }
  }

  /**
   * The request a node sends to renew {@code current}: the same key, common name, DNS names,
   * addresses and region, role node (what {@link RenewalPolicy} requires).
   *
   * @throws IllegalArgumentException if the certificate's names cannot be read
   */
  public static PKCS10CertificationRequest renewalOf(PrivateKey key, X509Certificate current) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(current, "current");
    Set<String> dnsNames = new LinkedHashSet<>();
    Set<InetAddress> addresses = new LinkedHashSet<>();
    try {
      RenewalPolicy.readAltNames(current, dnsNames, addresses);
    } catch (CertificateParsingException | UnknownHostException e) {
      throw new IllegalArgumentException("cannot read the names of the certificate to renew: " + e.getMessage(), e);
    }
    String region = RenewalPolicy.region(current);
    if (region == null) {
      throw new IllegalArgumentException("the certificate to renew has no region (L)");
    }
    return create(new KeyPair(current.getPublicKey(), key), new CertificateRequestSpec(
        CertificateVerifier.commonName(current), TrustRole.NODE, List.copyOf(dnsNames), List.copyOf(addresses), region));
  }

  public static byte[] toDer(PKCS10CertificationRequest request) {
    try {
      return request.getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws IllegalArgumentException if the bytes are not one DER certificate request
   */
  public static PKCS10CertificationRequest fromDer(byte[] der) {
    try {
      return new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a DER certificate request: " + e.getMessage(), e);
    }
  }

  public static String toPem(PKCS10CertificationRequest request) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(request);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /**
   * The first "CERTIFICATE REQUEST" block of {@code pemText}.
   *
   * @throws IllegalArgumentException if there is none or it does not parse
   */
  public static PKCS10CertificationRequest fromPem(String pemText) {
    try (PEMParser parser = new PEMParser(new StringReader(pemText))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PKCS10CertificationRequest request) {
          return request;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read PEM certificate request: " + e, e);
    }
    throw new IllegalArgumentException("no PEM certificate request found");
  }
}
