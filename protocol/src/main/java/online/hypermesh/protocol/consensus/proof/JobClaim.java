package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;

/**
 * What a {@link TransactionKind#JOB_RESULT} claims: job {@code jobId} produced a result whose
 * SHA-256 is {@code resultDigest}. Part of the transaction digest; PoWork checks it by
 * re-execution ({@link JobReExecutor}).
 */
public record JobClaim(byte[] jobId, byte[] resultDigest) {

  public static final int MAX_JOB_ID_BYTES = 64;
  public static final int DIGEST_BYTES = 32;

  public JobClaim {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(resultDigest, "resultDigest");
    if (jobId.length == 0 || jobId.length > MAX_JOB_ID_BYTES) {
      throw new IllegalArgumentException("job id must be 1.." + MAX_JOB_ID_BYTES + " bytes");
    }
    if (resultDigest.length != DIGEST_BYTES) {
      throw new IllegalArgumentException("result digest must be " + DIGEST_BYTES + " bytes");
    }
    jobId = jobId.clone();
    resultDigest = resultDigest.clone();
  }

  @Override
  public byte[] jobId() {
    return jobId.clone();
  }

  @Override
  public byte[] resultDigest() {
    return resultDigest.clone();
  }
}
