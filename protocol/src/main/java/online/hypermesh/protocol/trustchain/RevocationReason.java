package online.hypermesh.protocol.trustchain;

import java.util.Locale;
import java.util.Optional;

/** Why a certificate was revoked: RFC 5280 section 5.3.1 CRLReason, with its code and its name there. */
public enum RevocationReason {
  UNSPECIFIED(0, "unspecified"),
  KEY_COMPROMISE(1, "keyCompromise"),
  CA_COMPROMISE(2, "cACompromise"),
  AFFILIATION_CHANGED(3, "affiliationChanged"),
  SUPERSEDED(4, "superseded"),
  CESSATION_OF_OPERATION(5, "cessationOfOperation"),
  PRIVILEGE_WITHDRAWN(9, "privilegeWithdrawn");

  private final int code;
  private final String rfcName;

  RevocationReason(int code, String rfcName) {
    this.code = code;
    this.rfcName = rfcName;
  }

  public int code() {
    return code;
  }

  public String rfcName() {
    return rfcName;
  }

  /** Accepts the RFC name (keyCompromise), the enum name (KEY_COMPROMISE) or kebab case (key-compromise). */
  public static Optional<RevocationReason> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String wanted = text.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    for (RevocationReason reason : values()) {
      if (reason.rfcName.toLowerCase(Locale.ROOT).equals(wanted)
          || reason.name().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted)) {
        return Optional.of(reason);
      }
    }
    return Optional.empty();
  }
}
