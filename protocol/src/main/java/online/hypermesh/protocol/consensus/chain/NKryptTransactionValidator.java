package online.hypermesh.protocol.consensus.chain;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.proof.JobReExecutor;
import online.hypermesh.protocol.consensus.proof.NKryptVerifier;
import online.hypermesh.protocol.consensus.proof.ProofKind;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionDigest;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.VerifiedChainCache;

/**
 * The four proofs as the BFT core's {@link TransactionValidator}: the body must decode as an
 * NKrypt transaction whose digest is the BFT transaction id, and pass {@link NKryptVerifier}
 * against the committed state ({@link ChainState#view()}, read live); then, on a chain with CAES,
 * a Caesar payload must pass {@link CaesarState#precheck} (what would certainly fail when
 * applied). A refusal's reason starts with the failing proof's name ({@code TIME: }, {@code
 * WORK: }, {@code STAKE: }, {@code SPACE: }, {@code ENVELOPE: } for bytes that are not a
 * transaction, {@code PAYLOAD: CAES } for the Caesar precheck), so it can label metrics and
 * answer {@code chain tx ID}; {@link #proofOf} reads it back.
 *
 * <p>Deterministic for a given committed state, apart from what the proofs read from the clock
 * (certificate validity, future-dated timestamps; see the proof package). Same thread as the
 * state's owner; never throws. Each instance keeps its own {@link VerifiedChainCache} (default
 * capacity) of sender chains, so a sender's chain signatures are checked once, not per
 * transaction; validity and revocation are still checked per transaction.
 */
public final class NKryptTransactionValidator implements TransactionValidator {

  private final NKryptVerifier verifier;
  private final ChainState state;
  private final CertificateVerifier certificates;
  private final VerifiedChainCache chains = new VerifiedChainCache();
  private static final FalconVerifier SIGNATURES = new FalconVerifier();

  /**
   * @param certificates the TrustChain (or node-local CA) anchor and revocations for PoStake
   * @param jobs the Catalog's re-execution hook, or null (job results are then refused)
   * @param clock the validator's clock
   */
  public NKryptTransactionValidator(
      ChainState state, CertificateVerifier certificates, JobReExecutor jobs, Clock clock) {
    this.state = Objects.requireNonNull(state, "state");
    this.certificates = Objects.requireNonNull(certificates, "certificates");
    this.verifier = new NKryptVerifier(state.genesisConfig().parameters(), certificates,
        state.view(), jobs, Objects.requireNonNull(clock, "clock"), chains);
  }

  @Override
  public Verdict validate(Transaction transaction, BlockContext context) {
    try {
      TransactionCodec.Decoded decoded = TransactionCodec.decode(transaction.body());
      if (decoded instanceof TransactionCodec.Malformed malformed) {
        return refuse(ProofKind.ENVELOPE, "not a transaction: " + malformed.reason());
      }
      online.hypermesh.protocol.consensus.proof.Transaction tx =
          ((TransactionCodec.Valid) decoded).transaction();
      Digest digest = Digest.of(TransactionDigest.of(tx));
      if (!digest.equals(transaction.id())) {
        return refuse(ProofKind.ENVELOPE, "transaction id " + transaction.id().hex()
            + " is not the digest of its body " + digest.hex());
      }
      online.hypermesh.protocol.consensus.proof.Verdict verdict = verifier.verify(tx);
      if (verdict instanceof online.hypermesh.protocol.consensus.proof.Verdict.Rejected r) {
        return refuse(r.proof(), r.reason());
      }
      if (tx.kind() == TransactionKind.VALIDATOR_SET_CHANGE) {
        String refusal = epochChangeRefusal(tx.payload());
        if (refusal != null) {
          return refuse(ProofKind.PAYLOAD, refusal);
        }
      }
      if (state.caesar().isPresent()) {
        var failure = state.caesar().get().precheck(tx, certificates, chains);
        if (failure.isPresent()) {
          return refuse(ProofKind.PAYLOAD, "CAES " + failure.get());
        }
      }
      return Verdict.accept();
    } catch (RuntimeException e) {
      return refuse(ProofKind.ENVELOPE, "unreadable: " + e);
    }
  }

  /**
   * A validator-set change must be authorized by a quorum of the set in force (else, committed, it
   * would be an ordinary transaction that changes nothing: refused before ordering instead), and
   * may name only the genesis validators' keys: a node starts its validator only when the genesis
   * lists its key, with its registered plot, so a new key would be a member that never votes.
   */
  private String epochChangeRefusal(byte[] payload) {
    var authorized = EpochChange.verifyPayload(payload, state.validatorSet(), SIGNATURES);
    if (authorized.rejected()) {
      return "VALIDATOR_SET_CHANGE " + authorized.reason();
    }
    var genesisSet = state.validatorSetOf(0).orElseThrow();
    List<byte[]> next = EpochChange.decode(payload).orElseThrow().keys();
    for (int i = 0; i < next.size(); i++) {
      if (genesisSet.indexOf(next.get(i)) < 0) {
        return "VALIDATOR_SET_CHANGE key " + i + " of the next set is not a genesis validator's:"
            + " only genesis validators can be members of a later set";
      }
    }
    return null;
  }

  private static Verdict refuse(ProofKind proof, String reason) {
    return Verdict.reject(proof.name() + ": " + reason);
  }

  /** The proof a reason from {@link #validate} names, or null if it names none. */
  public static ProofKind proofOf(String reason) {
    if (reason == null) {
      return null;
    }
    for (ProofKind kind : ProofKind.values()) {
      if (reason.startsWith(kind.name() + ": ")) {
        return kind;
      }
    }
    return null;
  }
}
