package online.hypermesh.protocol.crypto;

import java.util.Optional;

/**
 * What a certificate's holder may act as. Written as the subject's organizational unit ({@code
 * OU=node} / {@code OU=client}), so it is visible to any X.509 tool and covered by the CA's
 * signature.
 */
public enum CertificateRole {
  /** A HyperMesh node: serves STOQ, may also connect to other nodes. */
  NODE("node"),
  /** A client (CLI, application): connects only. */
  CLIENT("client");

  private final String unit;

  CertificateRole(String unit) {
    this.unit = unit;
  }

  /** The OU value. */
  public String unit() {
    return unit;
  }

  public static Optional<CertificateRole> fromUnit(String unit) {
    for (CertificateRole role : values()) {
      if (role.unit.equals(unit)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
