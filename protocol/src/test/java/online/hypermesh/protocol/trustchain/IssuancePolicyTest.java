package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.crypto.VerifiedCertificate;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Approved;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Reason;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Refused;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** CSRs with proof of possession, and every reason the issuance policy refuses one. */
class IssuancePolicyTest {

  private static final KeyPair SUBJECT = Falcon.generateKeyPair();
  private static final KeyPair OTHER = Falcon.generateKeyPair();
  private static final InetAddress V6 = address("2001:db8::7");
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final IssuancePolicy POLICY = new IssuancePolicy("hypermesh.online",
      EnumSet.allOf(TrustRole.class), IssuancePolicy.DEFAULT_MAX_VALIDITY, Set.of(),
      Clock.fixed(NOW, ZoneOffset.UTC));

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static PKCS10CertificationRequest request(
      String cn, TrustRole role, List<String> dns, List<InetAddress> ips, String region) {
    return SigningRequests.create(SUBJECT, new CertificateRequestSpec(cn, role, dns, ips, region));
  }

  private static PKCS10CertificationRequest nodeRequest() {
    return request("node-1", TrustRole.NODE, List.of("node-1.eu-west.hypermesh.online"),
        List.of(V6), "eu-west");
  }

  /** A hand-built CSR: any subject, names and extensions, any signing key and algorithm. */
  private static PKCS10CertificationRequest custom(String subject, PublicKey key,
      PrivateKey signingKey, String algorithm, ExtensionsGenerator extensions) throws Exception {
    PKCS10CertificationRequestBuilder builder =
        new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key);
    if (extensions != null) {
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
          extensions.generate());
    }
    return builder.build(
        new JcaContentSignerBuilder(algorithm).setProvider(Pq.BC).build(signingKey));
  }

  private static ExtensionsGenerator altNames(GeneralName... names) throws Exception {
    ExtensionsGenerator extensions = new ExtensionsGenerator();
    extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    return extensions;
  }

  private static Reason refusal(PKCS10CertificationRequest csr, Duration validity) {
    IssuanceDecision decision = POLICY.check(csr, validity);
    return assertInstanceOf(Refused.class, decision, decision.toString()).reason();
  }

  private static Reason refusal(PKCS10CertificationRequest csr) {
    return refusal(csr, Duration.ofHours(1));
  }

  @Test
  void approvedNodeRequestBecomesACertificateTheVerifierAccepts() throws Exception {
    IssuanceDecision decision = POLICY.check(nodeRequest(), Duration.ofHours(24));
    Approved approved = assertInstanceOf(Approved.class, decision, decision.toString());
    assertArrayEquals(SUBJECT.getPublic().getEncoded(), approved.subjectKey().getEncoded());
    assertEquals(TrustRole.NODE, approved.role());
    assertEquals("eu-west", approved.region());
    assertEquals("node-1", approved.leafSpec().commonName());
    assertEquals(CertificateRole.NODE, approved.leafSpec().role());
    assertEquals(List.of("node-1.eu-west.hypermesh.online"), approved.leafSpec().dnsNames());
    assertEquals(List.of(V6), approved.leafSpec().ipAddresses());
    assertEquals(NOW.minusSeconds(60), approved.leafSpec().notBefore());
    assertEquals(NOW.plus(Duration.ofHours(24)), approved.leafSpec().notAfter());

    // Issue for real (now, so the CA's root is valid) and check with the STOQ verifier.
    NodeLocalCa ca = NodeLocalCa.create("trustchain test CA", Duration.ofDays(2));
    Approved live = assertInstanceOf(Approved.class,
        IssuancePolicy.defaults("hypermesh.online").check(nodeRequest(), Duration.ofHours(24)));
    X509Certificate leaf = ca.issue(live.subjectKey(), live.leafSpec());
    CertificateVerifier verifier = new CertificateVerifier(ca.certificate(), Set.of());
    VerifiedCertificate verified = verifier.verify(List.of(leaf, ca.certificate()),
        "node-1.eu-west.hypermesh.online", CertificateRole.NODE);
    assertEquals(CertificateRole.NODE, verified.role());
  }

  @Test
  void validatorsIssueAsNodesAndUsersAsClients() {
    Approved validator = assertInstanceOf(Approved.class, POLICY.check(request("val-3",
        TrustRole.VALIDATOR, List.of(), List.of(V6), "us-east"), Duration.ofHours(24)));
    assertEquals(TrustRole.VALIDATOR, validator.role());
    assertEquals(CertificateRole.NODE, validator.leafSpec().role());
    Approved user = assertInstanceOf(Approved.class, POLICY.check(request("alice",
        TrustRole.USER, List.of(), List.of(), "eu-west"), Duration.ofHours(12)));
    assertEquals(CertificateRole.CLIENT, user.leafSpec().role());
  }

  @Test
  void proofOfPossessionAndKeyType() throws Exception {
    // The subject's key, signed by someone else's: no proof of possession.
    assertEquals(Reason.PROOF_OF_POSSESSION_FAILED, refusal(custom(
        "CN=node-1,OU=node,L=eu-west", SUBJECT.getPublic(), OTHER.getPrivate(),
        Falcon.ALGORITHM, null)));
    // A CSR changed after signing.
    byte[] der = SigningRequests.toDer(nodeRequest());
    byte[] name = "node-1.eu-west".getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(der, name);
    der[at + 5] = '2';
    assertEquals(Reason.PROOF_OF_POSSESSION_FAILED, refusal(SigningRequests.fromDer(der)));

    KeyPairGenerator generator = KeyPairGenerator.getInstance("FALCON", Pq.BC);
    generator.initialize(org.bouncycastle.pqc.jcajce.spec.FalconParameterSpec.falcon_512);
    KeyPair falcon512 = generator.generateKeyPair();
    assertEquals(Reason.KEY_NOT_FALCON_1024, refusal(custom("CN=node-1,OU=node,L=eu-west",
        falcon512.getPublic(), falcon512.getPrivate(), "FALCON-512", null)));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaPair = rsa.generateKeyPair();
    assertEquals(Reason.KEY_NOT_FALCON_1024, refusal(custom("CN=node-1,OU=node,L=eu-west",
        rsaPair.getPublic(), rsaPair.getPrivate(), "SHA256withRSA", null)));
  }

  @Test
  void dnsNamesMustBePlainHostsUnderTheSuffix() {
    for (String good : List.of("hypermesh.online", "a.hypermesh.online", "x-1.y.hypermesh.online")) {
      assertInstanceOf(Approved.class, POLICY.check(request("n", TrustRole.NODE,
          List.of(good), List.of(), "eu-west"), Duration.ofHours(1)), good);
    }
    for (String bad : List.of("evil.com", "nothypermesh.online", "hypermesh.online.evil.com",
        "*.hypermesh.online", "Node.hypermesh.online", "-a.hypermesh.online",
        "a..hypermesh.online", "a_b.hypermesh.online", "")) {
      assertEquals(Reason.DNS_NAME_NOT_ALLOWED, refusal(request("n", TrustRole.NODE,
          List.of("ok.hypermesh.online", bad), List.of(), "eu-west")), bad);
    }
  }

  @Test
  void commonNameIsANameToo() {
    assertInstanceOf(Approved.class, POLICY.check(request("node-1.hypermesh.online",
        TrustRole.NODE, List.of(), List.of(), "eu-west"), Duration.ofHours(1)));
    for (String bad : List.of("evil.com", "2001:db8::7", "192.0.2.1", "Node", "a b", "")) {
      assertEquals(Reason.COMMON_NAME_NOT_ALLOWED, refusal(request(bad, TrustRole.NODE,
          List.of(), List.of(), "eu-west")), bad);
    }
  }

  @Test
  void onlyIpv6AddressesAreIssued() throws Exception {
    assertEquals(Reason.IPV4_NOT_ALLOWED, refusal(request("n", TrustRole.NODE, List.of(),
        List.of(V6, address("192.0.2.1")), "eu-west")));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = (byte) 192;
    mapped[15] = 1;
    assertEquals(Reason.IPV4_NOT_ALLOWED, refusal(custom("CN=n,OU=node,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM,
        altNames(new GeneralName(GeneralName.iPAddress, new DEROctetString(mapped))))));
    assertEquals(Reason.NAME_TYPE_NOT_ALLOWED, refusal(custom("CN=n,OU=node,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM,
        altNames(new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[32]))))));
    assertEquals(Reason.NAME_TYPE_NOT_ALLOWED, refusal(custom("CN=n,OU=node,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM,
        altNames(new GeneralName(GeneralName.rfc822Name, "a@hypermesh.online")))));
  }

  @Test
  void validityWithinTheRolesMaximum() {
    assertInstanceOf(Approved.class, POLICY.check(nodeRequest(), Duration.ofHours(24)));
    assertEquals(Reason.VALIDITY_NOT_ALLOWED,
        refusal(nodeRequest(), Duration.ofHours(24).plusSeconds(1)));
    assertEquals(Reason.VALIDITY_NOT_ALLOWED, refusal(nodeRequest(), Duration.ZERO));
    assertEquals(Reason.VALIDITY_NOT_ALLOWED, refusal(nodeRequest(), Duration.ofHours(-1)));
    assertEquals(Reason.VALIDITY_NOT_ALLOWED, refusal(request("alice", TrustRole.USER,
        List.of(), List.of(), "eu-west"), Duration.ofHours(13)));
  }

  @Test
  void rolesAndRegions() throws Exception {
    IssuancePolicy nodesOnly = new IssuancePolicy("hypermesh.online", Set.of(TrustRole.NODE),
        IssuancePolicy.DEFAULT_MAX_VALIDITY, Set.of("eu-west"), Clock.systemUTC());
    assertInstanceOf(Approved.class, nodesOnly.check(nodeRequest(), Duration.ofHours(1)));
    assertEquals(Reason.ROLE_NOT_ALLOWED, assertInstanceOf(Refused.class, nodesOnly.check(
        request("alice", TrustRole.USER, List.of(), List.of(), "eu-west"),
        Duration.ofHours(1))).reason());
    assertEquals(Reason.REGION_NOT_ALLOWED, assertInstanceOf(Refused.class, nodesOnly.check(
        request("n", TrustRole.NODE, List.of(), List.of(), "us-east"),
        Duration.ofHours(1))).reason());
    assertEquals(Reason.REGION_NOT_ALLOWED, refusal(request("n", TrustRole.NODE, List.of(),
        List.of(), "EU West")));
    assertEquals(Reason.REGION_NOT_ALLOWED, refusal(custom("CN=n,OU=node",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, null)));
    assertEquals(Reason.UNKNOWN_ROLE, refusal(custom("CN=n,OU=admin,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, null)));
    assertEquals(Reason.UNKNOWN_ROLE, refusal(custom("CN=n,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, null)));
    assertThrows(IllegalArgumentException.class, () -> new IssuancePolicy("hypermesh.online",
        Set.of(TrustRole.USER), java.util.Map.of(), Set.of(), Clock.systemUTC()));
    assertThrows(IllegalArgumentException.class, () -> IssuancePolicy.defaults("*.bad"));
  }

  @Test
  void subjectAndExtensionsAreExactlyWhatTheCaUses() throws Exception {
    assertEquals(Reason.SUBJECT_NOT_ALLOWED, refusal(custom("CN=n,OU=node,L=eu-west,O=Evil",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, null)));
    assertEquals(Reason.SUBJECT_NOT_ALLOWED, refusal(custom("CN=n,CN=m,OU=node,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, null)));
    assertEquals(Reason.SUBJECT_NOT_ALLOWED, refusal(custom("CN=n+OU=node,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, null)));
    ExtensionsGenerator caRequest = new ExtensionsGenerator();
    caRequest.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    assertEquals(Reason.EXTENSION_NOT_ALLOWED, refusal(custom("CN=n,OU=node,L=eu-west",
        SUBJECT.getPublic(), SUBJECT.getPrivate(), Falcon.ALGORITHM, caRequest)));
  }

  @Test
  void pemAndDerRoundTrip() {
    PKCS10CertificationRequest csr = nodeRequest();
    String pem = SigningRequests.toPem(csr);
    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----"), pem);
    assertEquals(csr, SigningRequests.fromPem(pem));
    assertEquals(csr, SigningRequests.fromDer(SigningRequests.toDer(csr)));
    assertInstanceOf(Approved.class,
        POLICY.check(SigningRequests.fromPem(pem), Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> SigningRequests.fromPem("no pem here"));
    assertThrows(IllegalArgumentException.class,
        () -> SigningRequests.fromDer(new byte[] {0x30, 0x03, 0x02, 0x01}));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
