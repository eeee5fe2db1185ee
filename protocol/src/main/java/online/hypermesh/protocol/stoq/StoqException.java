package online.hypermesh.protocol.stoq;

import java.util.Objects;

/**
 * A STOQ failure with a stable {@link StoqError} code. Handlers throw (or fail their stage with)
 * this to send a specific error to the client; the client fails request stages with it.
 */
public class StoqException extends RuntimeException {

  private final StoqError error;

  public StoqException(StoqError error, String message) {
    super(message);
    this.error = Objects.requireNonNull(error, "error");
  }

  public StoqException(StoqError error, String message, Throwable cause) {
    super(message, cause);
    this.error = Objects.requireNonNull(error, "error");
  }

  /** For errors that are routine protocol outcomes, where a stack trace is pure cost. */
  protected StoqException(StoqError error, String message, boolean writableStackTrace) {
    super(message, null, false, writableStackTrace);
    this.error = Objects.requireNonNull(error, "error");
  }

  public StoqError error() {
    return error;
  }

  @Override
  public String toString() {
    return "StoqException[" + error + "]: " + getMessage();
  }
}
