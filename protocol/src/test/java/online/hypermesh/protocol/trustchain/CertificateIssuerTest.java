package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRejectedException.Reason;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.VerifiedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root -> intermediate -> leaf hierarchy: issued chains verify; forged, expired, revoked and
 * wrong-name certificates fail with their reason; OpenSSL parses what we issue.
 */
class CertificateIssuerTest {

  private static final CertificateIssuer.Hierarchy HIERARCHY =
      CertificateIssuer.createHierarchy("Test TrustChain", Duration.ofDays(30), Duration.ofDays(10));
  private static final CertificateIssuer ISSUER = CertificateIssuer.of(
      HIERARCHY.intermediate().getPrivate(), HIERARCHY.intermediateCertificate(), HIERARCHY.rootCertificate());
  private static final IssuancePolicy POLICY = IssuancePolicy.defaults("hypermesh.online");
  private static final KeyPair SUBJECT = Falcon.generateKeyPair();

  private static InetAddress v6(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static IssuanceDecision.Approved approve(IssuancePolicy policy, String cn, TrustRole role, List<String> dns,
                                                   Duration validity) {
    var csr = SigningRequests.create(SUBJECT,
        new CertificateRequestSpec(cn, role, dns, List.of(v6("2001:db8::7")), "eu-west"));
    return assertInstanceOf(IssuanceDecision.Approved.class, policy.check(csr, validity));
  }

  private static List<X509Certificate> chainOf(X509Certificate leaf) {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf);
    chain.addAll(ISSUER.chain());
    return chain;
  }

  private static Reason rejection(CertificateVerifier verifier, List<X509Certificate> chain, String name) {
    return assertThrows(CertificateRejectedException.class, () -> verifier.verify(chain, name, null)).reason();
  }

  @Test
  void anIssuedChainVerifiesToTheRootWithRegionNamesAndSerial() throws Exception {
    BigInteger serial = CertificateIssuer.randomSerial();
    X509Certificate leaf = ISSUER.issue(approve(POLICY, "n1.hypermesh.online", TrustRole.NODE,
        List.of("n1.hypermesh.online"), Duration.ofHours(24)), serial);
    VerifiedCertificate verified = new CertificateVerifier(HIERARCHY.rootCertificate(), Set.of())
        .verify(chainOf(leaf), "n1.hypermesh.online", CertificateRole.NODE);
    assertEquals(serial, verified.serial());
    assertEquals(CertificateRole.NODE, verified.role());
    assertTrue(leaf.getSubjectX500Principal().getName().contains("L=eu-west"), leaf.getSubjectX500Principal().getName());
    assertEquals(HIERARCHY.intermediateCertificate().getSubjectX500Principal(), leaf.getIssuerX500Principal());
    // Also by the IPv6 address, and a user certificate is a client.
    new CertificateVerifier(HIERARCHY.rootCertificate(), Set.of()).verify(chainOf(leaf), "2001:db8::7", null);
    X509Certificate user = ISSUER.issue(approve(POLICY, "alice", TrustRole.USER, List.of(), Duration.ofHours(1)),
        CertificateIssuer.randomSerial());
    assertEquals(CertificateRole.CLIENT, new CertificateVerifier(HIERARCHY.rootCertificate(), Set.of())
        .verify(chainOf(user), "alice", null).role());
    assertEquals(-1, leaf.getBasicConstraints());
    assertEquals(0, HIERARCHY.intermediateCertificate().getBasicConstraints());
    assertEquals(1, HIERARCHY.rootCertificate().getBasicConstraints());
  }

  @Test
  void forgedExpiredRevokedAndWrongNameCertificatesFailWithTheirReason() {
    X509Certificate leaf = ISSUER.issue(approve(POLICY, "n2.hypermesh.online", TrustRole.NODE,
        List.of("n2.hypermesh.online"), Duration.ofHours(24)), CertificateIssuer.randomSerial());
    CertificateVerifier verifier = new CertificateVerifier(HIERARCHY.rootCertificate(), Set.of());

    // Forged: an attacker's hierarchy with the very same names signs a certificate for the same subject.
    CertificateIssuer.Hierarchy forged = CertificateIssuer.createHierarchy("Test TrustChain", Duration.ofDays(30),
        Duration.ofDays(10));
    CertificateIssuer forger = CertificateIssuer.of(forged.intermediate().getPrivate(),
        forged.intermediateCertificate(), forged.rootCertificate());
    X509Certificate fake = forger.issue(approve(POLICY, "n2.hypermesh.online", TrustRole.NODE,
        List.of("n2.hypermesh.online"), Duration.ofHours(24)), CertificateIssuer.randomSerial());
    assertEquals(Reason.UNTRUSTED, rejection(verifier, List.of(fake, forged.intermediateCertificate()), null));
    assertEquals(Reason.UNTRUSTED,
        rejection(verifier, List.of(fake, HIERARCHY.intermediateCertificate()), "n2.hypermesh.online"));

    // Expired: the verifier's clock is past notAfter (24 h).
    CertificateVerifier tomorrow = new CertificateVerifier(HIERARCHY.rootCertificate(), Set.of(),
        Clock.fixed(Instant.now().plus(Duration.ofHours(25)), ZoneOffset.UTC));
    assertEquals(Reason.EXPIRED, rejection(tomorrow, chainOf(leaf), null));

    // Revoked.
    CertificateVerifier revoking = new CertificateVerifier(HIERARCHY.rootCertificate(), Set.of(leaf.getSerialNumber()));
    assertEquals(Reason.REVOKED, rejection(revoking, chainOf(leaf), null));

    // Wrong name and wrong address.
    assertEquals(Reason.WRONG_NAME, rejection(verifier, chainOf(leaf), "n3.hypermesh.online"));
    assertEquals(Reason.WRONG_NAME, rejection(verifier, chainOf(leaf), "2001:db8::8"));
  }

  @Test
  void validityIsClippedToTheIntermediateAndBadMaterialIsRefused() {
    IssuancePolicy longLived = new IssuancePolicy("hypermesh.online", Set.of(TrustRole.NODE),
        java.util.Map.of(TrustRole.NODE, Duration.ofDays(400)), Set.of(), Clock.systemUTC());
    X509Certificate leaf = ISSUER.issue(approve(longLived, "n4.hypermesh.online", TrustRole.NODE, List.of(),
        Duration.ofDays(400)), CertificateIssuer.randomSerial());
    assertEquals(HIERARCHY.intermediateCertificate().getNotAfter(), leaf.getNotAfter());
    assertThrows(IllegalArgumentException.class, () -> CertificateIssuer.of(HIERARCHY.root().getPrivate(),
        HIERARCHY.intermediateCertificate(), HIERARCHY.rootCertificate()));
    CertificateIssuer.Hierarchy other = CertificateIssuer.createHierarchy("Other", Duration.ofDays(1), Duration.ofDays(1));
    assertThrows(IllegalArgumentException.class, () -> CertificateIssuer.of(HIERARCHY.intermediate().getPrivate(),
        HIERARCHY.intermediateCertificate(), other.rootCertificate()));
    assertThrows(IllegalArgumentException.class, () -> ISSUER.issue(approve(POLICY, "n5", TrustRole.NODE, List.of(),
        Duration.ofHours(1)), BigInteger.ZERO));
  }

  @Test
  void opensslParsesLeafIntermediateAndRoot(@TempDir Path dir) throws Exception {
    X509Certificate leaf = ISSUER.issue(approve(POLICY, "n6.hypermesh.online", TrustRole.VALIDATOR,
        List.of("n6.hypermesh.online"), Duration.ofHours(24)), CertificateIssuer.randomSerial());
    String text = openssl(dir, leaf);
    assertTrue(text.contains("Version: 3"), text);
    assertTrue(text.contains("DNS:n6.hypermesh.online"), text);
    assertTrue(text.contains("IP Address:2001:DB8:0:0:0:0:0:7"), text);
    assertTrue(text.contains("L = eu-west") || text.contains("L=eu-west"), text);
    assertTrue(text.contains("OU = node") || text.contains("OU=node"), text);
    assertTrue(text.contains("CA:FALSE"), text);
    assertTrue(text.contains(leaf.getSerialNumber().toString(16).substring(0, 2)), text);
    assertTrue(openssl(dir, HIERARCHY.intermediateCertificate()).contains("CA:TRUE, pathlen:0"));
    assertTrue(openssl(dir, HIERARCHY.rootCertificate()).contains("CA:TRUE, pathlen:1"));
  }

  private static String openssl(Path dir, X509Certificate certificate) throws Exception {
    Path der = Files.createTempFile(dir, "cert", ".der");
    Files.write(der, certificate.getEncoded());
    Process process = new ProcessBuilder("openssl", "x509", "-inform", "DER", "-in", der.toString(), "-text", "-noout")
        .redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    process.getInputStream().transferTo(out);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), text);
    return text;
  }
}
