package online.hypermesh.protocol.crypto;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a leaf certificate says: common name, role, names (DNS and IP addresses as
 * subjectAltName), validity.
 */
public record LeafSpec(
    String commonName,
    CertificateRole role,
    List<String> dnsNames,
    List<InetAddress> ipAddresses,
    Instant notBefore,
    Instant notAfter) {

  public LeafSpec {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
    if (commonName.isBlank()) {
      throw new IllegalArgumentException("common name must not be blank");
    }
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException("notAfter must be after notBefore");
    }
  }

  /** Valid from a minute ago (clock skew) for {@code validity}. */
  public static LeafSpec of(
      String commonName,
      CertificateRole role,
      List<String> dnsNames,
      List<InetAddress> ipAddresses,
      Duration validity) {
    Instant now = Instant.now();
    return new LeafSpec(
        commonName, role, dnsNames, ipAddresses, now.minusSeconds(60), now.plus(validity));
  }

  public LeafSpec withValidity(Instant from, Instant until) {
    return new LeafSpec(commonName, role, dnsNames, ipAddresses, from, until);
  }
}
