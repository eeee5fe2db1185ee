package online.hypermesh.protocol.caesar;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.SignatureVerifier;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Verdict;

/**
 * A light client of one remote chain: it trusts the validator set registered at bridge set-up and
 * nothing else, and learns later sets only from validator-set changes committed under the set in
 * force. Pure and single-threaded; its state (epochs, certified heights, freeze) must be persisted
 * with the ledger by its owner.
 *
 * <p>Epochs: a set is in force from its first height to the height of the block that committed its
 * successor. A certificate is checked against the set in force at its height; one that verifies
 * only against a set whose epoch ended before its height is refused as signed by a stale set
 * (retired validators can no longer certify anything), while a certificate from a retired set for
 * a height inside its epoch is accepted, so locks committed just before a change stay redeemable.
 *
 * <p>Misbehaviour: every verified certificate is remembered by height; a second verified
 * certificate for another block at the same height freezes the client for good, keeping both as
 * {@link Misbehaviour} evidence. A frozen client refuses everything.
 */
public final class BridgeLightClient {

  private record Epoch(ValidatorSet set, long fromHeight, long toHeight) {}

  private final Digest chainId;
  private final SignatureVerifier verifier;
  private final RemoteReader reader;
  private final List<Epoch> epochs = new ArrayList<>();
  private final TreeMap<Long, CommitCertificate> certified = new TreeMap<>();
  private Misbehaviour misbehaviour;

  /** Trusts {@code initial} for every height from {@code trustedFromHeight} on. */
  public BridgeLightClient(
      ValidatorSet initial, long trustedFromHeight, SignatureVerifier verifier,
      RemoteReader reader) {
    this.chainId = initial.chainId();
    this.verifier = Objects.requireNonNull(verifier);
    this.reader = Objects.requireNonNull(reader);
    epochs.add(new Epoch(initial, trustedFromHeight, Long.MAX_VALUE));
  }

  public Digest chainId() {
    return chainId;
  }

  /** The set in force now. */
  public ValidatorSet validatorSet() {
    return current().set();
  }

  /** How many validator-set changes this client has followed. */
  public int epoch() {
    return epochs.size() - 1;
  }

  public boolean frozen() {
    return misbehaviour != null;
  }

  public Optional<Misbehaviour> misbehaviour() {
    return Optional.ofNullable(misbehaviour);
  }

  /**
   * Checks a certificate against the set in force at its height and remembers it; a conflicting
   * one freezes the client. Relayers may submit certificates alone, as misbehaviour evidence.
   */
  public Checked<Integer> observe(CommitCertificate cert) {
    if (frozen()) {
      return frozenRefusal();
    }
    long height = cert.height();
    int in = epochAt(height);
    if (in < 0) {
      return Checked.refused(Rejection.NOT_CERTIFIED, "height " + height
          + " is below height " + epochs.get(0).fromHeight() + " the bridge trusts from");
    }
    Verdict v = cert.verify(epochs.get(in).set(), verifier);
    if (v.rejected()) {
      for (int e = in - 1; e >= 0; e--) {
        if (cert.verify(epochs.get(e).set(), verifier).accepted()) {
          return Checked.refused(Rejection.STALE_VALIDATOR_SET, "certificate for height "
              + height + " is signed by the validator set of epoch " + e
              + ", retired after height " + epochs.get(e).toHeight());
        }
      }
      return Checked.refused(Rejection.FORGED_CERTIFICATE, "certificate for height " + height
          + " does not verify against the validator set of epoch " + in + ": " + v.reason());
    }
    CommitCertificate seen = certified.get(height);
    if (seen != null && !seen.blockId().equals(cert.blockId())) {
      misbehaviour = new Misbehaviour(height, seen, cert);
      return Checked.refused(Rejection.CONFLICTING_BLOCKS, "blocks " + seen.blockId() + " and "
          + cert.blockId() + " are both certified at height " + height + "; bridge frozen");
    }
    certified.putIfAbsent(height, cert);
    return Checked.ok(in);
  }

  /** The proven transaction, once the block is certified and the path leads to its root. */
  public Checked<Transaction> verifyIncluded(InclusionProof p) {
    Checked<Integer> epoch = certifiedEpoch(p);
    return epoch.ok() ? included(p) : Checked.refused(epoch.refusal());
  }

  /** A committed lock or burn on the remote chain, with its replay id. */
  public Checked<RemoteTransfer> verifyTransfer(InclusionProof p) {
    Checked<Transaction> tx = verifyIncluded(p);
    if (!tx.ok()) {
      return Checked.refused(tx.refusal());
    }
    Optional<CaesarTransaction> payload = reader.caesar(tx.value().body());
    Digest lockId = RemoteTransfer.lockId(chainId, tx.value().id());
    if (payload.isPresent() && payload.get() instanceof CaesarTransaction.Lock l) {
      return Checked.ok(new RemoteTransfer(lockId, chainId, RemoteTransfer.Direction.LOCK,
          l.remoteChain(), l.recipient(), l.amount()));
    }
    if (payload.isPresent() && payload.get() instanceof CaesarTransaction.Burn b) {
      return Checked.ok(new RemoteTransfer(lockId, chainId, RemoteTransfer.Direction.BURN,
          b.remoteChain(), b.recipient(), b.amount()));
    }
    return Checked.refused(Rejection.NOT_A_BRIDGE_TRANSFER,
        "transaction " + tx.value().id() + " is not a CAES lock or burn");
  }

  /**
   * Follows a validator-set change committed in a block certified by the set in force now: the
   * current epoch ends at that block's height and the new set is in force above it.
   */
  public Outcome followValidatorSet(InclusionProof p) {
    Checked<Integer> epoch = certifiedEpoch(p);
    if (!epoch.ok()) {
      return epoch.refusal();
    }
    if (epoch.value() != epochs.size() - 1) {
      return Outcome.rejected(Rejection.STALE_VALIDATOR_SET, "the change at height "
          + p.block().height() + " is in epoch " + epoch.value() + ", already followed");
    }
    Checked<Transaction> tx = included(p);
    if (!tx.ok()) {
      return tx.refusal();
    }
    Optional<List<byte[]>> keys = reader.validatorSetChange(tx.value().body());
    if (keys.isEmpty()) {
      return Outcome.rejected(Rejection.NOT_A_VALIDATOR_SET_CHANGE,
          "transaction " + tx.value().id() + " is not a validator-set change");
    }
    long height = p.block().height();
    Epoch now = current();
    epochs.set(epochs.size() - 1, new Epoch(now.set(), now.fromHeight(), height));
    epochs.add(new Epoch(new ValidatorSet(chainId, keys.get(), now.set().timing()), height + 1, Long.MAX_VALUE));
    return Outcome.applied(epoch());
  }

  private Checked<Integer> certifiedEpoch(InclusionProof p) {
    if (frozen()) {
      return frozenRefusal();
    }
    if (!p.certificate().certifies(p.block())) {
      return Checked.refused(Rejection.NOT_CERTIFIED, "the certificate commits block "
          + p.certificate().blockId() + " at height " + p.certificate().height()
          + ", not block " + p.block().id() + " at height " + p.block().height());
    }
    return observe(p.certificate());
  }

  private Checked<Transaction> included(InclusionProof p) {
    int size = p.block().transactions().size();
    Digest root = MerkleTree.root(p.block().transactions());
    byte[] leaf = MerkleTree.leafHash(MerkleTree.leafData(p.transaction()));
    if (!MerkleTree.verify(leaf, p.index(), size, p.path(), root)) {
      return Checked.refused(Rejection.BAD_INCLUSION_PROOF, "transaction " + p.transaction().id()
          + " is not at index " + p.index() + " of block " + p.block().id() + " (root "
          + root + ")");
    }
    return Checked.ok(p.transaction());
  }

  private int epochAt(long height) {
    for (int e = epochs.size() - 1; e >= 0; e--) {
      Epoch ep = epochs.get(e);
      if (height >= ep.fromHeight() && height <= ep.toHeight()) {
        return e;
      }
    }
    return -1;
  }

  private Epoch current() {
    return epochs.get(epochs.size() - 1);
  }

  private <T> Checked<T> frozenRefusal() {
    return Checked.refused(Rejection.BRIDGE_FROZEN, "bridge to chain " + chainId
        + " is frozen: two blocks certified at height " + misbehaviour.height());
  }
}
