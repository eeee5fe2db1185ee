package online.hypermesh.protocol.trustchain;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What a subject asks for in its CSR. Deliberately not validated beyond presence: whether the
 * names are acceptable is the {@link IssuancePolicy}'s decision, made on the CSR itself (a CSR
 * can come from any tool, not only from {@link SigningRequests}).
 *
 * @param region where the subject runs (e.g. {@code eu-west}); written as the subject's {@code L}
 */
public record CertificateRequestSpec(
    String commonName,
    TrustRole role,
    List<String> dnsNames,
    List<InetAddress> ipAddresses,
    String region) {

  public CertificateRequestSpec {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(region, "region");
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
  }
}
