package online.hypermesh.protocol.crypto;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Checks a peer's FALCON-1024 certificate chain against one trust anchor (a {@link NodeLocalCa}
 * root), and says exactly why it refuses one ({@link CertificateRejectedException.Reason}).
 *
 * <p>Checks, in this order: chain shape (1..{@link #MAX_CHAIN} certificates, FALCON-1024 keys);
 * every link's issuer name and FALCON signature up to the anchor (the chain may end with the
 * anchor itself or with a certificate the anchor signed; issuers must be CA certificates);
 * validity of every certificate at the clock's current time; revocation (the caller-supplied set
 * of serials, checked for every certificate except the anchor); the leaf's role; the leaf's name.
 *
 * <p>Name matching: an expected name that is an IP literal must equal one of the leaf's IP
 * subjectAltNames; any other name must equal (case-insensitively) one of its DNS subjectAltNames
 * or its common name. No wildcards. The role is the subject's OU ({@link CertificateRole}).
 *
 * <p>Immutable and thread-safe. The revocation set is read at each call, so a caller may pass a
 * concurrent set it updates.
 */
public final class CertificateVerifier {

  /** Leaf + intermediates + root: more is not something a node-local CA produces. */
  public static final int MAX_CHAIN = 4;

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final X509Certificate trustAnchor;
  private final Set<BigInteger> revoked;
  private final Supplier<Date> clock;

  public CertificateVerifier(X509Certificate trustAnchor, Set<BigInteger> revoked) {
    this(trustAnchor, revoked, Clock.systemUTC());
  }

  public CertificateVerifier(X509Certificate trustAnchor, Set<BigInteger> revoked, Clock clock) {
    this.trustAnchor = Objects.requireNonNull(trustAnchor, "trustAnchor");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
    Objects.requireNonNull(clock, "clock");
    this.clock = () -> Date.from(clock.instant());
    if (!Falcon.isFalcon1024(trustAnchor.getPublicKey())) {
      throw new IllegalArgumentException("trust anchor must have a FALCON-1024 key");
    }
  }

  public X509Certificate trustAnchor() {
    return trustAnchor;
  }

  /**
   * Verifies {@code chain} (leaf first).
   *
   * @param expectedName the name or address the leaf must carry, or null for any
   * @param expectedRole the role the leaf must have, or null for any known role
   */
  public VerifiedCertificate verify(
      List<X509Certificate> chain, String expectedName, CertificateRole expectedRole)
      throws CertificateRejectedException {
    return verify(chain, expectedName, expectedRole, null);
  }

  /**
   * The same checks and result as {@link #verify(List, String, CertificateRole)}, with the
   * signature checks of a chain {@code cache} already holds for this anchor skipped (validity,
   * revocation, role and name are checked every time; see {@link VerifiedChainCache}).
   *
   * @param cache the accepted chains to consult and add to, or null for none
   */
  public VerifiedCertificate verify(
      List<X509Certificate> chain,
      String expectedName,
      CertificateRole expectedRole,
      VerifiedChainCache cache)
      throws CertificateRejectedException {
    if (chain == null || chain.isEmpty() || chain.size() > MAX_CHAIN) {
      throw reject(
          CertificateRejectedException.Reason.MALFORMED_CHAIN,
          "chain must hold 1.." + MAX_CHAIN + " certificates, got "
              + (chain == null ? 0 : chain.size()));
    }
    for (X509Certificate certificate : chain) {
      if (certificate == null || !Falcon.isFalcon1024(certificate.getPublicKey())) {
        throw reject(
            CertificateRejectedException.Reason.MALFORMED_CHAIN,
            "every certificate must carry a FALCON-1024 key");
      }
    }
    String key = null;
    VerifiedChainCache.Entry cached = null;
    if (cache != null) {
      try {
        key = VerifiedChainCache.key(chain);
        cached = cache.get(key);
      } catch (java.security.cert.CertificateEncodingException e) {
        key = null; // not encodable: verify uncached, the signature check will say why
      }
      if (cached != null && !cached.anchor().equals(trustAnchor)) {
        cached = null;
      }
    }
    if (cached == null) {
      checkSignatures(chain);
    }
    Date now = clock.get();
    boolean inWindow = cached != null
        && !now.toInstant().isBefore(cached.notBefore())
        && !now.toInstant().isAfter(cached.notAfter());
    for (X509Certificate certificate : inWindow ? List.<X509Certificate>of() : chain) {
      try {
        certificate.checkValidity(now);
      } catch (CertificateExpiredException e) {
        throw reject(
            CertificateRejectedException.Reason.EXPIRED,
            subject(certificate) + " expired at " + certificate.getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        throw reject(
            CertificateRejectedException.Reason.NOT_YET_VALID,
            subject(certificate) + " is not valid before "
                + certificate.getNotBefore().toInstant());
      }
    }
    for (X509Certificate certificate : chain) {
      if (!certificate.equals(trustAnchor) && revoked.contains(certificate.getSerialNumber())) {
        throw reject(
            CertificateRejectedException.Reason.REVOKED,
            subject(certificate) + " (serial " + certificate.getSerialNumber().toString(16)
                + ") is revoked");
      }
    }
    X509Certificate leaf = chain.get(0);
    CertificateRole role = cached != null ? cached.role() : roleOf(leaf);
    if (role == null) {
      throw reject(
          CertificateRejectedException.Reason.WRONG_ROLE,
          subject(leaf) + " has no HyperMesh role (OU=node or OU=client)");
    }
    if (expectedRole != null && role != expectedRole) {
      throw reject(
          CertificateRejectedException.Reason.WRONG_ROLE,
          subject(leaf) + " has role " + role.unit() + ", expected " + expectedRole.unit());
    }
    String commonName = cached != null ? cached.commonName() : commonName(leaf);
    if (expectedName != null && !namesMatch(leaf, commonName, expectedName)) {
      throw reject(
          CertificateRejectedException.Reason.WRONG_NAME,
          subject(leaf) + " does not name " + expectedName);
    }
    VerifiedCertificate verified = new VerifiedCertificate(leaf, commonName, role, chain);
    if (cached == null && key != null) {
      cache.put(key, new VerifiedChainCache.Entry(trustAnchor, leaf.getPublicKey(), role,
          commonName, latestNotBefore(chain), earliestNotAfter(chain)));
    }
    return verified;
  }

  private static Instant latestNotBefore(List<X509Certificate> chain) {
    Instant latest = Instant.MIN;
    for (X509Certificate certificate : chain) {
      Instant notBefore = certificate.getNotBefore().toInstant();
      latest = notBefore.isAfter(latest) ? notBefore : latest;
    }
    return latest;
  }

  private static Instant earliestNotAfter(List<X509Certificate> chain) {
    Instant earliest = Instant.MAX;
    for (X509Certificate certificate : chain) {
      Instant notAfter = certificate.getNotAfter().toInstant();
      earliest = notAfter.isBefore(earliest) ? notAfter : earliest;
    }
    return earliest;
  }

  private void checkSignatures(List<X509Certificate> chain) throws CertificateRejectedException {
    int last = chain.size() - 1;
    for (int i = 0; i < last; i++) {
      checkIssued(chain.get(i), chain.get(i + 1));
    }
    X509Certificate top = chain.get(last);
    if (top.equals(trustAnchor)) {
      // A chain ending with the anchor itself: checked against the anchor we hold, not itself.
      if (last == 0) {
        throw reject(
            CertificateRejectedException.Reason.UNTRUSTED,
            "the trust anchor itself is not a peer certificate");
      }
      return;
    }
    checkIssued(top, trustAnchor);
  }

  private static void checkIssued(X509Certificate certificate, X509Certificate issuer)
      throws CertificateRejectedException {
    if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw reject(
          CertificateRejectedException.Reason.UNTRUSTED,
          subject(certificate) + " is issued by " + certificate.getIssuerX500Principal()
              + ", not by the trusted " + issuer.getSubjectX500Principal());
    }
    if (issuer.getBasicConstraints() < 0) {
      throw reject(
          CertificateRejectedException.Reason.UNTRUSTED,
          "issuer " + subject(issuer) + " is not a CA certificate");
    }
    PublicKey key = issuer.getPublicKey();
    try {
      certificate.verify(key, Pq.BC);
    } catch (Exception e) {
      throw reject(
          CertificateRejectedException.Reason.UNTRUSTED,
          subject(certificate) + " has a bad signature for issuer " + subject(issuer));
    }
  }

  /** The OU of the subject as a role, or null. */
  public static CertificateRole roleOf(X509Certificate certificate) {
    String unit = rdn(certificate, "OU");
    return unit == null ? null : CertificateRole.fromUnit(unit).orElse(null);
  }

  public static String commonName(X509Certificate certificate) {
    String cn = rdn(certificate, "CN");
    return cn == null ? "" : cn;
  }

  private static String rdn(X509Certificate certificate, String type) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : name.getRdns()) {
        if (rdn.getType().equalsIgnoreCase(type)) {
          return String.valueOf(rdn.getValue());
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static boolean namesMatch(X509Certificate leaf, String commonName, String expected) {
    InetAddress address = ipLiteral(expected);
    Collection<List<?>> altNames;
    try {
      altNames = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (address != null) {
      if (altNames == null) {
        return false;
      }
      for (List<?> altName : altNames) {
        if ((Integer) altName.get(0) == GeneralName.iPAddress
            && address.equals(ipLiteral(String.valueOf(altName.get(1))))) {
          return true;
        }
      }
      return false;
    }
    String wanted = expected.toLowerCase(Locale.ROOT);
    if (altNames != null) {
      for (List<?> altName : altNames) {
        if ((Integer) altName.get(0) == GeneralName.dNSName
            && wanted.equals(String.valueOf(altName.get(1)).toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
    }
    return wanted.equals(commonName.toLowerCase(Locale.ROOT));
  }

  /** An IP literal as an address (no DNS lookup ever), or null for a host name. */
  static InetAddress ipLiteral(String name) {
    String literal = name;
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    if (!literal.contains(":") && !IPV4.matcher(literal).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }

  private static CertificateRejectedException reject(
      CertificateRejectedException.Reason reason, String message) {
    return new CertificateRejectedException(reason, message);
  }
}
