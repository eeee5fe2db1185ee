package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;

/** The outcome of checking a transaction: accepted, or rejected naming the proof that failed. */
public sealed interface Verdict permits Verdict.Accepted, Verdict.Rejected {

  static Verdict accepted() {
    return Accepted.INSTANCE;
  }

  static Verdict rejected(ProofKind proof, String reason) {
    return new Rejected(proof, reason);
  }

  default boolean isAccepted() {
    return this instanceof Accepted;
  }

  /** All checks passed. */
  record Accepted() implements Verdict {
    private static final Accepted INSTANCE = new Accepted();
  }

  /** The first failing proof and a reason meant for logs, the CLI and metrics labels (proof). */
  record Rejected(ProofKind proof, String reason) implements Verdict {
    public Rejected {
      Objects.requireNonNull(proof, "proof");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
      return proof + ": " + reason;
    }
  }
}
