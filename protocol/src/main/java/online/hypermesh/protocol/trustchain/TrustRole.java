package online.hypermesh.protocol.trustchain;

import java.util.Optional;
import online.hypermesh.protocol.crypto.CertificateRole;

/**
 * The roles TrustChain issues for, written as the CSR subject's {@code OU}. Finer than {@link
 * CertificateRole} (which knows only node and client): until that enum grows, a validator's
 * certificate carries {@code OU=node} and a user's {@code OU=client} (see {@link
 * #certificateRole}), and the finer role is known from the CSR and the log entry.
 */
public enum TrustRole {
  /** A HyperMesh node: serves STOQ and connects to other nodes. */
  NODE("node", CertificateRole.NODE),
  /** A node that also takes part in consensus/validation; on the wire it acts as a node. */
  VALIDATOR("validator", CertificateRole.NODE),
  /** A person or application: connects only. */
  USER("user", CertificateRole.CLIENT);

  private final String unit;
  private final CertificateRole certificateRole;

  TrustRole(String unit, CertificateRole certificateRole) {
    this.unit = unit;
    this.certificateRole = certificateRole;
  }

  /** The OU value in the CSR. */
  public String unit() {
    return unit;
  }

  /** The role the issued certificate carries (what {@code NodeLocalCa} can write today). */
  public CertificateRole certificateRole() {
    return certificateRole;
  }

  public static Optional<TrustRole> fromUnit(String unit) {
    for (TrustRole role : values()) {
      if (role.unit.equals(unit)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
