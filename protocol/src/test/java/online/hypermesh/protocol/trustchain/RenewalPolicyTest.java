package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Reason;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/**
 * What a node may renew: only its own live node certificate, for the same key and names. Refusals:
 * another node's name, an added name, another region, a different key, a key it cannot sign with, an
 * expired, revoked or foreign current certificate, and a client certificate.
 */
class RenewalPolicyTest {

  private static final CertificateIssuer.Hierarchy HIERARCHY =
      CertificateIssuer.createHierarchy("Renewal test", Duration.ofDays(30), Duration.ofDays(10));
  private static final CertificateIssuer ISSUER = CertificateIssuer.of(
      HIERARCHY.intermediate().getPrivate(), HIERARCHY.intermediateCertificate(), HIERARCHY.rootCertificate());
  private static final IssuancePolicy ISSUANCE = IssuancePolicy.defaults("hypermesh.online");
  private static final RenewalPolicy POLICY = new RenewalPolicy(ISSUANCE, HIERARCHY.rootCertificate(),
      HIERARCHY.intermediateCertificate(), Clock.systemUTC());
  private static final KeyPair NODE_KEY = Falcon1024.KEYS.get(0);
  private static final CertificateRequestSpec NODE = spec("node-1", TrustRole.NODE, "2001:db8::1", "eu-west");
  private static final X509Certificate CURRENT = issue(ISSUER, NODE_KEY, NODE);
  private static final Duration DAY = Duration.ofHours(24);

  /** Key pairs made once: FALCON-1024 key generation is the slow part of these tests. */
  private static final class Falcon1024 {
    static final List<KeyPair> KEYS = List.of(online.hypermesh.protocol.crypto.Falcon.generateKeyPair(),
        online.hypermesh.protocol.crypto.Falcon.generateKeyPair());
  }

  private static CertificateRequestSpec spec(String name, TrustRole role, String address, String region) {
    try {
      return new CertificateRequestSpec(name, role, role == TrustRole.USER ? List.of() : List.of(name + ".hypermesh.online"),
          role == TrustRole.USER ? List.of() : List.of(InetAddress.getByName(address)), region);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate issue(CertificateIssuer issuer, KeyPair key, CertificateRequestSpec spec) {
    IssuanceDecision.Approved approved = assertInstanceOf(IssuanceDecision.Approved.class,
        ISSUANCE.check(SigningRequests.create(key, spec), Duration.ofHours(12)));
    return issuer.issue(approved, CertificateIssuer.randomSerial());
  }

  private static IssuanceDecision.Refused refused(IssuanceDecision decision) {
    return assertInstanceOf(IssuanceDecision.Refused.class, decision);
  }

  @Test
  void aNodeRenewsItsOwnCertificateForTheSameKeyAndNames() {
    PKCS10CertificationRequest request = SigningRequests.renewalOf(NODE_KEY.getPrivate(), CURRENT);
    IssuanceDecision.Approved approved = assertInstanceOf(IssuanceDecision.Approved.class,
        POLICY.check(request, DAY, CURRENT, Set.of()));
    assertArrayEquals(CURRENT.getPublicKey().getEncoded(), approved.subjectKey().getEncoded());
    assertEquals("node-1", approved.leafSpec().commonName());
    assertEquals(List.of("node-1.hypermesh.online"), approved.leafSpec().dnsNames());
    assertEquals("eu-west", approved.region());
    X509Certificate renewed = ISSUER.issue(approved, CertificateIssuer.randomSerial());
    assertEquals(CURRENT.getSubjectX500Principal(), renewed.getSubjectX500Principal());
    // The renewed certificate can itself be renewed.
    assertInstanceOf(IssuanceDecision.Approved.class,
        POLICY.check(SigningRequests.renewalOf(NODE_KEY.getPrivate(), renewed), DAY, renewed, Set.of()));
  }

  @Test
  void anotherNodesNameAnAddedNameOrAnotherRegionIsRefused() {
    PKCS10CertificationRequest otherNode = SigningRequests.create(NODE_KEY,
        spec("node-2", TrustRole.NODE, "2001:db8::1", "eu-west"));
    assertEquals(Reason.NAMES_MISMATCH, refused(POLICY.check(otherNode, DAY, CURRENT, Set.of())).reason());

    PKCS10CertificationRequest otherAddress = SigningRequests.create(NODE_KEY,
        spec("node-1", TrustRole.NODE, "2001:db8::99", "eu-west"));
    assertEquals(Reason.NAMES_MISMATCH, refused(POLICY.check(otherAddress, DAY, CURRENT, Set.of())).reason());

    PKCS10CertificationRequest addedName = SigningRequests.create(NODE_KEY, new CertificateRequestSpec("node-1",
        TrustRole.NODE, List.of("node-1.hypermesh.online", "trust.hypermesh.online"), NODE.ipAddresses(), "eu-west"));
    IssuanceDecision.Refused added = refused(POLICY.check(addedName, DAY, CURRENT, Set.of()));
    assertEquals(Reason.NAMES_MISMATCH, added.reason());
    assertTrue(added.detail().contains("trust.hypermesh.online"), added.detail());

    PKCS10CertificationRequest otherRegion = SigningRequests.create(NODE_KEY,
        spec("node-1", TrustRole.NODE, "2001:db8::1", "us-east"));
    assertEquals(Reason.NAMES_MISMATCH, refused(POLICY.check(otherRegion, DAY, CURRENT, Set.of())).reason());
  }

  @Test
  void aDifferentKeyOrOneTheRequesterCannotSignWithIsRefused() {
    KeyPair other = Falcon1024.KEYS.get(1);
    PKCS10CertificationRequest otherKey = SigningRequests.create(other, NODE);
    assertEquals(Reason.KEY_MISMATCH, refused(POLICY.check(otherKey, DAY, CURRENT, Set.of())).reason());

    // The current certificate's key, but signed by someone who does not hold it.
    PKCS10CertificationRequest stolen = SigningRequests.create(new KeyPair(CURRENT.getPublicKey(), other.getPrivate()), NODE);
    assertEquals(Reason.PROOF_OF_POSSESSION_FAILED, refused(POLICY.check(stolen, DAY, CURRENT, Set.of())).reason());
  }

  @Test
  void anExpiredRevokedForeignOrClientCurrentCertificateIsRefused() {
    PKCS10CertificationRequest request = SigningRequests.renewalOf(NODE_KEY.getPrivate(), CURRENT);

    RenewalPolicy tomorrow = new RenewalPolicy(ISSUANCE, HIERARCHY.rootCertificate(),
        HIERARCHY.intermediateCertificate(), Clock.fixed(Instant.now().plus(Duration.ofHours(13)), ZoneOffset.UTC));
    IssuanceDecision.Refused expired = refused(tomorrow.check(request, DAY, CURRENT, Set.of()));
    assertEquals(Reason.CURRENT_CERTIFICATE_REFUSED, expired.reason());
    assertTrue(expired.detail().startsWith("EXPIRED"), expired.detail());

    Set<BigInteger> revoked = Set.of(CURRENT.getSerialNumber());
    IssuanceDecision.Refused wasRevoked = refused(POLICY.check(request, DAY, CURRENT, revoked));
    assertTrue(wasRevoked.detail().startsWith("REVOKED"), wasRevoked.detail());

    CertificateIssuer.Hierarchy otherCa =
        CertificateIssuer.createHierarchy("Other", Duration.ofDays(30), Duration.ofDays(10));
    X509Certificate foreign = issue(CertificateIssuer.of(otherCa.intermediate().getPrivate(),
        otherCa.intermediateCertificate(), otherCa.rootCertificate()), NODE_KEY, NODE);
    IssuanceDecision.Refused untrusted = refused(POLICY.check(SigningRequests.renewalOf(NODE_KEY.getPrivate(), foreign),
        DAY, foreign, Set.of()));
    assertEquals(Reason.CURRENT_CERTIFICATE_REFUSED, untrusted.reason());
    assertTrue(untrusted.detail().startsWith("UNTRUSTED"), untrusted.detail());

    // A client (user) certificate cannot be turned into a node certificate, nor renewed this way.
    X509Certificate client = issue(ISSUER, NODE_KEY, spec("alice", TrustRole.USER, null, "eu-west"));
    PKCS10CertificationRequest asNode = SigningRequests.create(NODE_KEY, new CertificateRequestSpec("alice",
        TrustRole.NODE, List.of(), List.of(), "eu-west"));
    IssuanceDecision.Refused wrongRole = refused(POLICY.check(asNode, DAY, client, Set.of()));
    assertEquals(Reason.CURRENT_CERTIFICATE_REFUSED, wrongRole.reason());
    assertTrue(wrongRole.detail().startsWith("WRONG_ROLE"), wrongRole.detail());
  }

  @Test
  void theRequestStillPassesTheIssuancePolicy() {
    PKCS10CertificationRequest request = SigningRequests.renewalOf(NODE_KEY.getPrivate(), CURRENT);
    assertEquals(Reason.VALIDITY_NOT_ALLOWED, refused(POLICY.check(request, Duration.ofHours(25), CURRENT, Set.of())).reason());
  }
}
