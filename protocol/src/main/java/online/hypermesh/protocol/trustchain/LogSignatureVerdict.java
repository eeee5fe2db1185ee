package online.hypermesh.protocol.trustchain;

import java.util.Objects;

/** The outcome of checking a log's signature on a tree head or a receipt. */
public record LogSignatureVerdict(Failure failure, String detail) {

  /** Why a signed tree head or receipt was refused. */
  public enum Failure {
    /** A field has the wrong length or range (root/leaf hash not 32 bytes, negative size). */
    MALFORMED,
    /** The key offered is not a FALCON-1024 public key. */
    KEY_NOT_FALCON_1024,
    /** The object names another log than the key offered (log id = SHA-256 of the key). */
    WRONG_LOG_ID,
    /** The FALCON-1024 signature does not verify over the documented encoding. */
    BAD_SIGNATURE
  }

  private static final LogSignatureVerdict VALID = new LogSignatureVerdict(null, "valid");

  public LogSignatureVerdict {
    Objects.requireNonNull(detail, "detail");
  }

  public static LogSignatureVerdict valid() {
    return VALID;
  }

  static LogSignatureVerdict refused(Failure failure, String detail) {
    return new LogSignatureVerdict(Objects.requireNonNull(failure, "failure"), detail);
  }

  public boolean isValid() {
    return failure == null;
  }
}
