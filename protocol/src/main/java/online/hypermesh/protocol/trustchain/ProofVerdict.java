package online.hypermesh.protocol.trustchain;

import java.util.Objects;

/**
 * The outcome of checking a Merkle proof: valid, or the precise {@link Failure} with a readable
 * detail (so a client can tell a lying log from a stale or malformed answer).
 */
public record ProofVerdict(Failure failure, String detail) {

  /** Why a proof was refused. */
  public enum Failure {
    /** A hash (leaf, root or proof element) is not 32 bytes, or an argument is null. */
    MALFORMED_HASH,
    /** Negative sizes or indices. */
    NEGATIVE_VALUE,
    /** Inclusion: leaf index >= tree size. */
    INDEX_OUT_OF_RANGE,
    /** Consistency: first size > second size. */
    SIZES_OUT_OF_ORDER,
    /** The proof has more or fewer hashes than the index and sizes call for. */
    WRONG_PROOF_LENGTH,
    /** Inclusion: the recomputed root differs from the expected one. */
    WRONG_ROOT,
    /** Consistency: the recomputed root of the first (older) tree differs. */
    WRONG_FIRST_ROOT,
    /** Consistency: the recomputed root of the second (newer) tree differs. */
    WRONG_SECOND_ROOT
  }

  private static final ProofVerdict VALID = new ProofVerdict(null, "valid");

  public ProofVerdict {
    Objects.requireNonNull(detail, "detail");
  }

  public static ProofVerdict valid() {
    return VALID;
  }

  static ProofVerdict refused(Failure failure, String detail) {
    return new ProofVerdict(Objects.requireNonNull(failure, "failure"), detail);
  }

  public boolean isValid() {
    return failure == null;
  }
}
