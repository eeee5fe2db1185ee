package online.hypermesh.protocol.consensus.proof;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * PoWork (what/how). Every transaction carries hashcash over its digest at the network
 * difficulty: the cost of submitting. A {@link TransactionKind#JOB_RESULT} must also carry a
 * {@link JobClaim} whose result digest the {@link JobReExecutor} reproduces; other kinds must not
 * carry one (the envelope stays canonical). Without a re-executor, job results are refused.
 */
public final class WorkVerifier {

  private final ChainParameters params;
  private final JobReExecutor jobs;

  /** @param jobs the Catalog's re-execution hook, or null where none is available yet */
  public WorkVerifier(ChainParameters params, JobReExecutor jobs) {
    this.params = Objects.requireNonNull(params, "params");
    this.jobs = jobs;
  }

  public Verdict verify(Transaction tx, byte[] digest) {
    WorkProof work = tx.work();
    if (work == null) {
      return refuse("missing: no hashcash nonce");
    }
    int bits = Hashcash.leadingZeroBits(Hashcash.hash(digest, work.nonce()));
    if (bits < params.workDifficulty()) {
      return refuse("hashcash nonce " + work.nonce() + " gives " + bits
          + " leading zero bits, the difficulty is " + params.workDifficulty());
    }
    JobClaim job = tx.job();
    if (tx.kind() != TransactionKind.JOB_RESULT) {
      return job == null ? Verdict.accepted() : refuse("a job claim on a " + tx.kind()
          + " transaction");
    }
    if (job == null) {
      return refuse("missing: a job result without a job claim");
    }
    if (jobs == null) {
      return refuse("job results cannot be re-executed on this validator");
    }
    Optional<byte[]> result;
    try {
      result = jobs.reExecute(job.jobId());
    } catch (RuntimeException e) {
      return refuse("re-execution of job " + hex(job.jobId()) + " failed: " + e);
    }
    if (result == null || result.isEmpty()) {
      return refuse("job " + hex(job.jobId()) + " cannot be re-executed");
    }
    if (!MessageDigest.isEqual(result.get(), job.resultDigest())) {
      return refuse("re-execution of job " + hex(job.jobId()) + " gives result digest "
          + hex(result.get()) + ", the claim is " + hex(job.resultDigest()));
    }
    return Verdict.accepted();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static Verdict refuse(String reason) {
    return Verdict.rejected(ProofKind.WORK, reason);
  }
}
