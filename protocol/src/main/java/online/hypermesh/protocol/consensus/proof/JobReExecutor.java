package online.hypermesh.protocol.consensus.proof;

import java.util.Optional;

/**
 * The Catalog's hook for PoWork on job results: re-runs job {@code jobId} and returns the SHA-256
 * digest of the result it got, or empty when the job is unknown or cannot be re-run here. PoWork
 * accepts a {@link TransactionKind#JOB_RESULT} only when this equals the claimed digest.
 */
@FunctionalInterface
public interface JobReExecutor {
  Optional<byte[]> reExecute(byte[] jobId);
}
