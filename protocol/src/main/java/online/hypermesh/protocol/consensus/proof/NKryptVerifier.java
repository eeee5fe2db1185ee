package online.hypermesh.protocol.consensus.proof;

import java.time.Clock;
import java.util.Objects;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.VerifiedChainCache;

/**
 * Checks all four proofs of a transaction and names the first that fails. Order: PoTime,
 * PoWork, PoStake, PoSpace. Cheapest first, so junk (stale, replayed, unpaid) costs a validator
 * a lookup or one hash before any FALCON verification; PoTime first also because it resolves
 * the block that seeds the PoSpace challenge, and PoSpace last because it trusts the certificate
 * only after PoStake has verified its chain.
 *
 * <p>Never throws on bad input: malformed bytes are an {@link ProofKind#ENVELOPE} rejection,
 * everything else a rejection of one proof. Thread-safe if the state views and the clock are.
 */
public final class NKryptVerifier {

  private final TimeVerifier time;
  private final WorkVerifier work;
  private final StakeVerifier stake;
  private final SpaceVerifier space;

  /** @param jobs the Catalog's re-execution hook, or null (job results are then refused) */
  public NKryptVerifier(
      ChainParameters params,
      CertificateVerifier certificates,
      CommittedState state,
      JobReExecutor jobs,
      Clock clock) {
    this(params, certificates, state, jobs, clock, null);
  }

  /**
   * @param jobs the Catalog's re-execution hook, or null (job results are then refused)
   * @param verifiedChains sender chains PoStake already verified, or null to verify every time
   */
  public NKryptVerifier(
      ChainParameters params,
      CertificateVerifier certificates,
      CommittedState state,
      JobReExecutor jobs,
      Clock clock,
      VerifiedChainCache verifiedChains) {
    Objects.requireNonNull(state, "state");
    this.time = new TimeVerifier(params, state.ticks(), state.seen(), clock);
    this.work = new WorkVerifier(params, jobs);
    this.stake = new StakeVerifier(params, certificates, state.stakes(), verifiedChains);
    this.space = new SpaceVerifier(params, state.plots(), state.regions());
  }

  /** Decodes ({@link TransactionCodec}) and verifies. */
  public Verdict verify(byte[] encoded) {
    TransactionCodec.Decoded decoded = TransactionCodec.decode(encoded);
    if (decoded instanceof TransactionCodec.Malformed malformed) {
      return Verdict.rejected(ProofKind.ENVELOPE, malformed.reason());
    }
    return verify(((TransactionCodec.Valid) decoded).transaction());
  }

  public Verdict verify(Transaction tx) {
    byte[] id = TransactionDigest.of(tx);
    TimeVerifier.Checked when = time.check(tx, id);
    if (when.rejection() != null) {
      return when.rejection();
    }
    Verdict what = work.verify(tx, id);
    if (!what.isAccepted()) {
      return what;
    }
    StakeVerifier.Checked who = stake.check(tx, id);
    if (who.rejection() != null) {
      return who.rejection();
    }
    return space.verify(tx, id, who.sender(), when.block());
  }
}
