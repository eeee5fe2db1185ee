package online.hypermesh.protocol.trustchain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Approved;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Reason;
import online.hypermesh.protocol.trustchain.IssuanceDecision.Refused;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Decides whether a CSR may be issued, and if so produces the {@link LeafSpec} for {@code
 * NodeLocalCa.issue}. The CA never copies anything from a CSR it has not checked here.
 *
 * <p>Checks, in this order (the first failure is the answer): the key is FALCON-1024; the CSR's
 * signature verifies with that key (proof of possession); the subject is exactly one CN, one OU
 * (the {@link TrustRole}) and one L (the region); no extension other than subjectAltName is
 * requested; the role is known and allowed; the region is well formed (and in the allowed set,
 * if one is configured); the common name is allowed; every DNS name is a plain host name under
 * the configured suffix (no wildcards); every IP address is IPv6 (IPv4 and IPv4-mapped refused);
 * no other name types; the validity is positive and at most the role's maximum.
 *
 * <p>Why the common name is checked: {@code CertificateVerifier} accepts a peer whose CN equals
 * the expected name, so a CN is as powerful as a DNS name. It must be a DNS name under the suffix
 * or a single label without dots or colons (a node or user name, which no host name can equal).
 *
 * <p>Immutable and thread-safe.
 */
public final class IssuancePolicy {

  /** Default maximum validity per role: short-lived certificates make revocation rarely needed. */
  public static final Map<TrustRole, Duration> DEFAULT_MAX_VALIDITY =
      Map.of(
          TrustRole.NODE, Duration.ofHours(24),
          TrustRole.VALIDATOR, Duration.ofHours(24),
          TrustRole.USER, Duration.ofHours(12));

  /** Clock skew allowance: certificates start this much before the decision. */
  public static final Duration BACKDATE = Duration.ofSeconds(60);

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern REGION = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final int MAX_DNS_NAME = 253;

  private final String dnsSuffix;
  private final Set<TrustRole> allowedRoles;
  private final Map<TrustRole, Duration> maxValidity;
  private final Set<String> allowedRegions;
  private final Clock clock;

  /**
   * @param dnsSuffix names must equal it or end with "." + it (e.g. {@code hypermesh.online})
   * @param allowedRoles roles this policy issues
   * @param maxValidity maximum validity of each allowed role
   * @param allowedRegions allowed regions; empty means any well-formed region
   */
  public IssuancePolicy(
      String dnsSuffix,
      Set<TrustRole> allowedRoles,
      Map<TrustRole, Duration> maxValidity,
      Set<String> allowedRegions,
      Clock clock) {
    Objects.requireNonNull(dnsSuffix, "dnsSuffix");
    this.dnsSuffix = dnsSuffix.toLowerCase(Locale.ROOT);
    if (!isHostName(this.dnsSuffix)) {
      throw new IllegalArgumentException("DNS suffix is not a host name: " + dnsSuffix);
    }
    this.allowedRoles = allowedRoles.isEmpty()
        ? Set.of() : Set.copyOf(EnumSet.copyOf(allowedRoles));
    this.maxValidity = Map.copyOf(new EnumMap<>(maxValidity));
    for (TrustRole role : this.allowedRoles) {
      Duration max = this.maxValidity.get(role);
      if (max == null || max.isNegative() || max.isZero()) {
        throw new IllegalArgumentException("no positive maximum validity for role " + role);
      }
    }
    this.allowedRegions = Set.copyOf(allowedRegions);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Every role, {@link #DEFAULT_MAX_VALIDITY}, any region, the system clock. */
  public static IssuancePolicy defaults(String dnsSuffix) {
    return new IssuancePolicy(dnsSuffix, EnumSet.allOf(TrustRole.class), DEFAULT_MAX_VALIDITY,
        Set.of(), Clock.systemUTC());
  }

  /** Checks {@code request} for a certificate valid for {@code validity} from now. */
  public IssuanceDecision check(PKCS10CertificationRequest request, Duration validity) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(validity, "validity");
    try {
      return decide(request, validity);
    } catch (RuntimeException e) {
      // Bouncy Castle reports malformed ASN.1 inside a parsed request as runtime exceptions.
      return new Refused(Reason.MALFORMED_REQUEST, "unreadable request: " + e.getMessage());
    }
  }

  private IssuanceDecision decide(PKCS10CertificationRequest request, Duration validity) {
    // Key and proof of possession.
    PublicKey key;
    try {
      key = new JcaPKCS10CertificationRequest(request).setProvider(Pq.BC).getPublicKey();
    } catch (GeneralSecurityException e) {
      return new Refused(Reason.KEY_NOT_FALCON_1024, "unusable public key: " + e.getMessage());
    }
    if (!Falcon.isFalcon1024(key)) {
      return new Refused(Reason.KEY_NOT_FALCON_1024, "the key is " + key.getAlgorithm());
    }
    if (!proofOfPossession(request)) {
      return new Refused(Reason.PROOF_OF_POSSESSION_FAILED,
          "the request's signature does not verify with its FALCON-1024 key");
    }

    // Subject: exactly CN, OU, L.
    String commonName = null;
    String unit = null;
    String region = null;
    for (RDN rdn : request.getSubject().getRDNs()) {
      if (rdn.isMultiValued()) {
        return new Refused(Reason.SUBJECT_NOT_ALLOWED, "multi-valued RDN in the subject");
      }
      AttributeTypeAndValue attribute = rdn.getFirst();
      ASN1ObjectIdentifier type = attribute.getType();
      if (!(attribute.getValue() instanceof ASN1String text)) {
        return new Refused(Reason.SUBJECT_NOT_ALLOWED, "non-string subject value of " + type);
      }
      String value = text.getString();
      if (type.equals(BCStyle.CN) && commonName == null) {
        commonName = value;
      } else if (type.equals(BCStyle.OU) && unit == null) {
        unit = value;
      } else if (type.equals(BCStyle.L) && region == null) {
        region = value;
      } else {
        return new Refused(Reason.SUBJECT_NOT_ALLOWED,
            "subject attribute " + BCStyle.INSTANCE.oidToDisplayName(type) + " (" + type
                + ") is not allowed or repeated");
      }
    }

    // Requested extensions: subjectAltName only.
    List<GeneralName> altNames = new ArrayList<>();
    Refused extensionRefusal = readAltNames(request, altNames);
    if (extensionRefusal != null) {
      return extensionRefusal;
    }

    // Role and region.
    if (unit == null || TrustRole.fromUnit(unit).isEmpty()) {
      return new Refused(Reason.UNKNOWN_ROLE, "role (OU) '" + unit + "' is not one of "
          + List.of(TrustRole.values()));
    }
    TrustRole role = TrustRole.fromUnit(unit).get();
    if (!allowedRoles.contains(role)) {
      return new Refused(Reason.ROLE_NOT_ALLOWED, "this policy does not issue role " + unit);
    }
    if (region == null || !REGION.matcher(region).matches()) {
      return new Refused(Reason.REGION_NOT_ALLOWED, "region (L) '" + region
          + "' is not a lower-case label");
    }
    if (!allowedRegions.isEmpty() && !allowedRegions.contains(region)) {
      return new Refused(Reason.REGION_NOT_ALLOWED, "region '" + region + "' is not one of "
          + allowedRegions);
    }

    // Names.
    if (commonName == null || !(isAllowedDnsName(commonName) || LABEL.matcher(commonName)
        .matches())) {
      return new Refused(Reason.COMMON_NAME_NOT_ALLOWED, "common name '" + commonName
          + "' is neither a name under " + dnsSuffix + " nor a single lower-case label");
    }
    List<String> dnsNames = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    for (GeneralName name : altNames) {
      if (name.getTagNo() == GeneralName.dNSName) {
        String dns = ((ASN1String) name.getName()).getString();
        if (!isAllowedDnsName(dns)) {
          return new Refused(Reason.DNS_NAME_NOT_ALLOWED,
              "DNS name '" + dns + "' is not a host name under " + dnsSuffix);
        }
        dnsNames.add(dns);
      } else if (name.getTagNo() == GeneralName.iPAddress) {
        byte[] octets = ASN1OctetString.getInstance(name.getName()).getOctets();
        if (octets.length == 4 || isIpv4Mapped(octets)) {
          return new Refused(Reason.IPV4_NOT_ALLOWED,
              "IPv4 address " + describe(octets) + " requested; only IPv6 is issued");
        }
        if (octets.length != 16) {
          return new Refused(Reason.NAME_TYPE_NOT_ALLOWED,
              "IP address entry of " + octets.length + " bytes (an address is 16)");
        }
        try {
          addresses.add(InetAddress.getByAddress(octets));
        } catch (UnknownHostException e) {
          throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
      } else {
        return new Refused(Reason.NAME_TYPE_NOT_ALLOWED,
            "subjectAltName of type " + name.getTagNo() + " (only DNS and IP are issued)");
      }
    }

    // Validity.
    Duration max = maxValidity.get(role);
    if (validity.isNegative() || validity.isZero() || validity.compareTo(max) > 0) {
      return new Refused(Reason.VALIDITY_NOT_ALLOWED,
          "validity " + validity + " is not within (0, " + max + "] for role " + unit);
    }
    Instant now = clock.instant();
    LeafSpec spec = new LeafSpec(commonName, role.certificateRole(), dnsNames, addresses,
        now.minus(BACKDATE), now.plus(validity));
    return new Approved(key, spec, role, region);
  }

  private static boolean proofOfPossession(PKCS10CertificationRequest request) {
    try {
      return request.isSignatureValid(
          new JcaContentVerifierProviderBuilder()
              .setProvider(Pq.BC)
              .build(request.getSubjectPublicKeyInfo()));
    } catch (PKCSException | OperatorCreationException | RuntimeException e) {
      // A signature that cannot even be checked (wrong algorithm for the key, bad encoding) is
      // no proof either.
      return false;
    }
  }

  /** Fills {@code out} with the requested subjectAltNames; a refusal for anything else. */
  private static Refused readAltNames(PKCS10CertificationRequest request, List<GeneralName> out) {
    Attribute[] attributes = request.getAttributes();
    for (Attribute attribute : attributes) {
      if (!attribute.getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
        return new Refused(Reason.EXTENSION_NOT_ALLOWED,
            "request attribute " + attribute.getAttrType() + " is not allowed");
      }
    }
    if (attributes.length > 1) {
      return new Refused(Reason.MALFORMED_REQUEST, "more than one extensionRequest attribute");
    }
    if (attributes.length == 0) {
      return null;
    }
    if (attributes[0].getAttrValues().size() != 1) {
      return new Refused(Reason.MALFORMED_REQUEST, "extensionRequest must hold one value");
    }
    Extensions extensions = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
    for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
      if (!oid.equals(Extension.subjectAlternativeName)) {
        return new Refused(Reason.EXTENSION_NOT_ALLOWED,
            "requested extension " + oid + " is not allowed (the CA sets it)");
      }
    }
    GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
    if (names != null) {
      out.addAll(List.of(names.getNames()));
    }
    return null;
  }

  /** A lower-case host name (LDH labels) equal to the suffix or below it. */
  private boolean isAllowedDnsName(String name) {
    return isHostName(name) && (name.equals(dnsSuffix) || name.endsWith("." + dnsSuffix));
  }

  /**
   * Lower-case LDH labels only: upper case is refused rather than folded, so what is logged is
   * exactly what the certificate says.
   */
  private static boolean isHostName(String name) {
    if (name.isEmpty() || name.length() > MAX_DNS_NAME) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  /** ::ffff:a.b.c.d, which Java and many stacks treat as the IPv4 address a.b.c.d. */
  private static boolean isIpv4Mapped(byte[] octets) {
    if (octets.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (octets[i] != 0) {
        return false;
      }
    }
    return octets[10] == (byte) 0xff && octets[11] == (byte) 0xff;
  }

  private static String describe(byte[] octets) {
    try {
      return InetAddress.getByAddress(octets).getHostAddress();
    } catch (UnknownHostException e) {
      return octets.length + " bytes";
    }
  }

  public String dnsSuffix() {
    return dnsSuffix;
  }

  /** The longest validity this policy issues for {@code role}, or null if it does not issue the role. */
  public Duration maxValidity(TrustRole role) {
    return allowedRoles.contains(role) ? maxValidity.get(role) : null;
  }
}
