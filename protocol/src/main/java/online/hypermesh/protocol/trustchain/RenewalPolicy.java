package online.hypermesh.protocol.trustchain;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Approved;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Reason;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Refused;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Whether a node may renew its certificate. Renewal needs no operator: the request authorizes itself,
 * so it may come from anywhere (a cluster member gets nothing for being one). Approved only when
 *
 * <ol>
 *   <li>the CSR passes the {@link IssuancePolicy} like any other (proof of possession, names, validity);
 *   <li>the current certificate verifies now under this CA's root through its intermediate, is not in
 *       {@code revoked}, and has role node;
 *   <li>the CSR asks for exactly the current certificate's key, common name, DNS names, addresses,
 *       certificate role and region.
 * </ol>
 *
 * So a renewal can only extend a live certificate for the holder of its key, never add a name or
 * move to another key: a node renews itself, not another node, and a stolen expired or revoked
 * certificate is worth nothing. Immutable and thread-safe.
 */
public final class RenewalPolicy {

  private final IssuancePolicy issuance;
  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final Clock clock;

  public RenewalPolicy(IssuancePolicy issuance, X509Certificate root, X509Certificate intermediate, Clock clock) {
    this.issuance = Objects.requireNonNull(issuance, "issuance");
    this.root = Objects.requireNonNull(root, "root");
    this.intermediate = Objects.requireNonNull(intermediate, "intermediate");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Decides on {@code request} for {@code validity}, renewing {@code current} (the leaf alone). */
  public IssuanceDecision check(PKCS10CertificationRequest request, Duration validity, X509Certificate current,
                                Set<BigInteger> revoked) {
    Objects.requireNonNull(current, "current");
    try {
      new CertificateVerifier(root, revoked, clock).verify(List.of(current, intermediate), null, CertificateRole.NODE);
    } catch (CertificateRejectedException e) {
      return new Refused(Reason.CURRENT_CERTIFICATE_REFUSED, e.reason() + ": " + e.getMessage());
    }
    IssuanceDecision decision = issuance.check(request, validity);
    if (!(decision instanceof Approved approved)) {
      return decision;
    }
    if (!Arrays.equals(approved.subjectKey().getEncoded(), current.getPublicKey().getEncoded())) {
      return new Refused(Reason.KEY_MISMATCH, "the request's key is not the key of the certificate it renews");
    }
    String commonName = CertificateVerifier.commonName(current);
    if (!approved.leafSpec().commonName().equals(commonName)) {
      return new Refused(Reason.NAMES_MISMATCH, "common name '" + approved.leafSpec().commonName()
          + "' is not the current certificate's '" + commonName + "'");
    }
    if (approved.leafSpec().role() != CertificateRole.NODE) {
      return new Refused(Reason.NAMES_MISMATCH, "role " + approved.role().unit() + " renewing a node certificate");
    }
    String region = region(current);
    if (!approved.region().equals(region)) {
      return new Refused(Reason.NAMES_MISMATCH, "region '" + approved.region() + "' is not the current certificate's '"
          + region + "'");
    }
    Set<String> dnsNames = new HashSet<>();
    Set<InetAddress> addresses = new HashSet<>();
    try {
      readAltNames(current, dnsNames, addresses);
    } catch (CertificateParsingException | UnknownHostException e) {
      return new Refused(Reason.CURRENT_CERTIFICATE_REFUSED, "unreadable subjectAltName: " + e.getMessage());
    }
    if (!new HashSet<>(approved.leafSpec().dnsNames()).equals(dnsNames)
        || approved.leafSpec().dnsNames().size() != dnsNames.size()) {
      return new Refused(Reason.NAMES_MISMATCH, "DNS names " + approved.leafSpec().dnsNames()
          + " are not the current certificate's " + dnsNames);
    }
    if (!new HashSet<>(approved.leafSpec().ipAddresses()).equals(addresses)
        || approved.leafSpec().ipAddresses().size() != addresses.size()) {
      return new Refused(Reason.NAMES_MISMATCH, "addresses " + approved.leafSpec().ipAddresses()
          + " are not the current certificate's " + addresses);
    }
    return approved;
  }

  /** The subject's L (where TrustChain writes the region), or null. */
  public static String region(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs(BCStyle.L)) {
      if (rdn.getFirst().getValue() instanceof ASN1String text) {
        return text.getString();
      }
    }
    return null;
  }

  /** The DNS names and IP addresses of {@code certificate}'s subjectAltName. */
  public static void readAltNames(X509Certificate certificate, Set<String> dnsNames, Set<InetAddress> addresses)
      throws CertificateParsingException, UnknownHostException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    if (names == null) {
      return;
    }
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      if (type == 2) {
        dnsNames.add((String) name.get(1));
      } else if (type == 7) {
        addresses.add(InetAddress.getByName((String) name.get(1)));
      }
    }
  }
}
