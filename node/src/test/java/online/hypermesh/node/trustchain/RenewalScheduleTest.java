package online.hypermesh.node.trustchain;

import com.typesafe.config.ConfigFactory;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.trustchain.CertificateIssuer;
import online.hypermesh.protocol.trustchain.CertificateRequestSpec;
import online.hypermesh.protocol.trustchain.IssuanceDecision;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustRole;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** When a node renews its certificate, how it backs off, and what the bootstrap check calls each moment. */
class RenewalScheduleTest {

  private static final RenewalSchedule SCHEDULE =
      new RenewalSchedule(0.66, Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofMinutes(5));

  @Test
  void renewsWhenTheFractionOfTheLifetimeSinceIssuanceHasPassed() {
    Instant issued = Instant.parse("2026-01-01T00:00:00Z");
    // TrustChain backdates notBefore by its skew allowance; the lifetime counts from issuance.
    Instant notBefore = issued.minus(IssuancePolicy.BACKDATE);
    assertEquals(issued.plusMillis((long) (Duration.ofHours(24).toMillis() * 0.66)),
        SCHEDULE.renewalTime(notBefore, issued.plus(Duration.ofHours(24))));
    RenewalSchedule half = new RenewalSchedule(0.5, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(4));
    assertEquals(issued.plusSeconds(15), half.renewalTime(notBefore, issued.plusSeconds(30)));
    // A certificate from elsewhere without backdating, shorter than the allowance: its whole life counts.
    assertEquals(issued.plusSeconds(20), half.renewalTime(issued, issued.plusSeconds(40)));
  }

  @Test
  void retriesBackOffExponentiallyUpToTheMaximum() {
    assertEquals(Duration.ofSeconds(5), SCHEDULE.retryDelay(1));
    assertEquals(Duration.ofSeconds(10), SCHEDULE.retryDelay(2));
    assertEquals(Duration.ofSeconds(40), SCHEDULE.retryDelay(4));
    assertEquals(Duration.ofMinutes(5), SCHEDULE.retryDelay(7));
    assertEquals(Duration.ofMinutes(5), SCHEDULE.retryDelay(1000));
  }

  @Test
  void statusIsValidThenDueThenOverdueOnFailureThenExpired() throws Exception {
    IssuancePolicy policy = IssuancePolicy.defaults("hypermesh.online");
    CertificateIssuer.Hierarchy hierarchy = CertificateIssuer.createHierarchy("t", Duration.ofDays(2), Duration.ofDays(1));
    CertificateIssuer issuer = CertificateIssuer.of(hierarchy.intermediate().getPrivate(),
        hierarchy.intermediateCertificate(), hierarchy.rootCertificate());
    IssuanceDecision.Approved approved = assertInstanceOf(IssuanceDecision.Approved.class, policy.check(
        SigningRequests.create(Falcon.generateKeyPair(), new CertificateRequestSpec("node-1", TrustRole.NODE, List.of(),
            List.of(InetAddress.getByName("::1")), "local")), Duration.ofHours(24)));
    X509Certificate certificate = issuer.issue(approved, CertificateIssuer.randomSerial());
    Instant renewal = SCHEDULE.renewalTime(certificate);
    Instant notAfter = certificate.getNotAfter().toInstant();
    assertEquals(RenewalSchedule.Status.VALID, SCHEDULE.status(certificate, renewal.minusSeconds(1), 0));
    assertEquals(RenewalSchedule.Status.DUE, SCHEDULE.status(certificate, renewal, 0));
    assertEquals(RenewalSchedule.Status.OVERDUE, SCHEDULE.status(certificate, renewal.plusSeconds(60), 1));
    assertEquals(RenewalSchedule.Status.EXPIRED, SCHEDULE.status(certificate, notAfter, 0));
  }

  @Test
  void theConfigurationIsReadAndCheckedFromBaseConf() {
    RenewalSchedule fromBase = RenewalSchedule.fromConfig(ConfigFactory.parseResources("base.conf").resolve());
    assertEquals(0.66, fromBase.renewAt());
    assertEquals(Duration.ofHours(24), fromBase.validity());
    assertThrows(NodeConfig.InvalidConfigException.class, () -> RenewalSchedule.fromConfig(ConfigFactory.parseString(
        "hypermesh.node.certificate-renewal-at = 1.5").withFallback(ConfigFactory.parseResources("base.conf")).resolve()));
  }
}
