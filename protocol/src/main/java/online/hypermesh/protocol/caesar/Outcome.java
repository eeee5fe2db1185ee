package online.hypermesh.protocol.caesar;

import java.util.Objects;

/** The result of a ledger or bridge operation: applied (with the amount moved) or refused. */
public sealed interface Outcome {

  boolean applied();

  /** Applied; {@code amount} is what moved (for a reward, what the pool could pay). */
  record Applied(long amount) implements Outcome {
    @Override
    public boolean applied() {
      return true;
    }
  }

  /** Refused with a machine-readable reason and a sentence for people. */
  record Rejected(Rejection reason, String detail) implements Outcome {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public boolean applied() {
      return false;
    }

    @Override
    public String toString() {
      return reason + ": " + detail;
    }
  }

  static Outcome applied(long amount) {
    return new Applied(amount);
  }

  static Outcome rejected(Rejection reason, String detail) {
    return new Rejected(reason, detail);
  }
}
