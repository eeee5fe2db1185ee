package online.hypermesh.protocol.crypto;

import java.util.Objects;

/** A certificate chain refused by {@link CertificateVerifier}, with a machine-readable reason. */
public final class CertificateRejectedException extends Exception {

  /** Why a chain was refused. */
  public enum Reason {
    /** No certificates, too many, or not X.509/FALCON-1024 where required. */
    MALFORMED_CHAIN,
    /** Does not chain to the trust anchor: other CA, bad signature, or a non-CA issuer. */
    UNTRUSTED,
    /** A certificate in the chain is past its notAfter. */
    EXPIRED,
    /** A certificate in the chain is before its notBefore. */
    NOT_YET_VALID,
    /** The leaf names neither the expected DNS name / common name nor the expected address. */
    WRONG_NAME,
    /** The leaf's role (OU) is not the one required, or it has none. */
    WRONG_ROLE,
    /** A certificate in the chain has a serial on the caller's revocation list. */
    REVOKED
  }

  private final Reason reason;

  public CertificateRejectedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "certificate rejected (" + reason + "): " + getMessage();
  }
}
