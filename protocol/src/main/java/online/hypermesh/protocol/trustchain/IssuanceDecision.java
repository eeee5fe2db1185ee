package online.hypermesh.protocol.trustchain;

import java.security.PublicKey;
import java.util.Objects;
import online.hypermesh.protocol.crypto.LeafSpec;

/** What {@link IssuancePolicy#check} decided about a certificate request. */
public sealed interface IssuanceDecision {

  /**
   * The request may be issued: {@code NodeLocalCa.issue(subjectKey, leafSpec)}.
   *
   * @param role the requested role ({@code leafSpec.role()} is its coarser certificate role)
   * @param region the requested region (not in the certificate yet: {@link LeafSpec} has no place
   *     for it; the log entry records it)
   */
  record Approved(PublicKey subjectKey, LeafSpec leafSpec, TrustRole role, String region)
      implements IssuanceDecision {
    public Approved {
      Objects.requireNonNull(subjectKey, "subjectKey");
      Objects.requireNonNull(leafSpec, "leafSpec");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(region, "region");
    }
  }

  /** The request is refused for {@code reason}; {@code detail} names the offending value. */
  record Refused(Reason reason, String detail) implements IssuanceDecision {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Why a request was refused, in the order the policy checks. */
  enum Reason {
    /** The request's structure cannot be read (subject, attributes, extensions, key encoding). */
    MALFORMED_REQUEST,
    /** The public key is not FALCON-1024 (e.g. FALCON-512, RSA). */
    KEY_NOT_FALCON_1024,
    /** The request's signature does not verify with its own public key: no proof of possession. */
    PROOF_OF_POSSESSION_FAILED,
    /** The subject has attributes other than one CN, one OU, one L, or multi-valued RDNs. */
    SUBJECT_NOT_ALLOWED,
    /** A requested extension other than subjectAltName (the CA decides the others). */
    EXTENSION_NOT_ALLOWED,
    /** No OU, or an OU that is not a {@link TrustRole}. */
    UNKNOWN_ROLE,
    /** A known role this policy does not issue. */
    ROLE_NOT_ALLOWED,
    /** Missing or badly formed region, or one outside the allowed regions. */
    REGION_NOT_ALLOWED,
    /** The common name is neither an allowed DNS name nor a single plain label. */
    COMMON_NAME_NOT_ALLOWED,
    /** A DNS name that is malformed, a wildcard, or outside the configured suffix. */
    DNS_NAME_NOT_ALLOWED,
    /** An IPv4 (or IPv4-mapped IPv6) address: HyperMesh is IPv6 only. */
    IPV4_NOT_ALLOWED,
    /** A subjectAltName of another kind (e-mail, URI, ...) or a malformed IP address. */
    NAME_TYPE_NOT_ALLOWED,
    /** Validity not positive or longer than the role's maximum. */
    VALIDITY_NOT_ALLOWED,
    /**
     * Renewal only ({@link RenewalPolicy}): the current certificate does not verify (expired,
     * revoked, another CA, malformed) or is not a node certificate.
     */
    CURRENT_CERTIFICATE_REFUSED,
    /** Renewal only: the request's key is not the current certificate's. */
    KEY_MISMATCH,
    /** Renewal only: the request's name, addresses, role or region differ from the current certificate's. */
    NAMES_MISMATCH
  }
}
