package online.hypermesh.protocol.caesar;

/** A verified value, or the refusal that says why there is none. */
public record Checked<T>(T value, Outcome.Rejected refusal) {

  public static <T> Checked<T> ok(T value) {
    return new Checked<>(value, null);
  }

  public static <T> Checked<T> refused(Rejection reason, String detail) {
    return new Checked<>(null, new Outcome.Rejected(reason, detail));
  }

  static <T> Checked<T> refused(Outcome.Rejected refusal) {
    return new Checked<>(null, refusal);
  }

  public boolean ok() {
    return refusal == null;
  }
}
