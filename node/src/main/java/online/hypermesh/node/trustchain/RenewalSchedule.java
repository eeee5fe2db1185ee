package online.hypermesh.node.trustchain;

import com.typesafe.config.Config;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.trustchain.IssuancePolicy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * When a node renews its certificate and how it retries, and what its certificate's state is at a
 * given moment (for the bootstrap check). Pure: no clock, no actors.
 *
 * @param renewAt fraction of the lifetime after which the node renews, in (0, 1)
 * @param validity the validity the node asks for
 * @param retryMin delay after the first failed attempt; doubles per failure
 * @param retryMax longest delay between attempts
 */
public record RenewalSchedule(double renewAt, Duration validity, Duration retryMin, Duration retryMax) {

  public RenewalSchedule {
    if (!(renewAt > 0 && renewAt < 1)) {
      throw new IllegalArgumentException("certificate-renewal-at must be between 0 and 1 (exclusive), got " + renewAt);
    }
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("certificate-validity must be positive, got " + validity);
    }
    if (retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
      throw new IllegalArgumentException("certificate-renewal-retry-min must be positive and at most retry-max");
    }
  }

  /** hypermesh.node.certificate-*. */
  public static RenewalSchedule fromConfig(Config config) {
    Config node = config.getConfig("hypermesh.node");
    try {
      return new RenewalSchedule(node.getDouble("certificate-renewal-at"), node.getDuration("certificate-validity"),
          node.getDuration("certificate-renewal-retry-min"), node.getDuration("certificate-renewal-retry-max"));
    } catch (IllegalArgumentException e) {
      throw new NodeConfig.InvalidConfigException("hypermesh.node: " + e.getMessage());
    }
  }

  /**
   * When {@code renewAt} of the certificate's lifetime has passed. The lifetime counts from issuance:
   * TrustChain backdates notBefore by its clock-skew allowance, which for a short certificate would
   * otherwise be most of its life (a 30 s certificate spans 90 s).
   */
  public Instant renewalTime(X509Certificate certificate) {
    return renewalTime(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
  }

  public Instant renewalTime(Instant notBefore, Instant notAfter) {
    Duration life = Duration.between(notBefore, notAfter);
    Instant start = notBefore;
    if (life.compareTo(IssuancePolicy.BACKDATE) > 0) {
      start = notBefore.plus(IssuancePolicy.BACKDATE);
      life = life.minus(IssuancePolicy.BACKDATE);
    }
    return start.plusMillis((long) (life.toMillis() * renewAt));
  }

  /** Delay before the next attempt after {@code failures} (at least 1) failed ones. */
  public Duration retryDelay(int failures) {
    Duration delay = retryMin;
    for (int i = 1; i < failures && delay.compareTo(retryMax) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(retryMax) > 0 ? retryMax : delay;
  }

  /** The certificate's state at {@code now}, given the renewal attempts that failed since it was issued. */
  public Status status(X509Certificate certificate, Instant now, int failures) {
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (!now.isBefore(notAfter)) {
      return Status.EXPIRED;
    }
    if (now.isBefore(renewalTime(certificate))) {
      return Status.VALID;
    }
    return failures > 0 ? Status.OVERDUE : Status.DUE;
  }

  public enum Status {
    /** Before its renewal time. */
    VALID,
    /** Past its renewal time; renewal under way. */
    DUE,
    /** Past its renewal time and at least one attempt failed: still valid, but a warning. */
    OVERDUE,
    /** Past notAfter: peers refuse it, only an operator can issue a new one. */
    EXPIRED
  }
}
