package online.hypermesh.protocol.caesar;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.MerkleTree;
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

  private static final byte[] STATE_DOMAIN =
      "HM-CAES-LIGHT-CLIENT-1".getBytes(StandardCharsets.US_ASCII);

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

  /** The first height the set in force now is trusted for (above the last followed base). */
  public long currentFromHeight() {
    return current().fromHeight();
  }

  /** The first height the registered set was trusted for. */
  public long trustedFromHeight() {
    return epochs.get(0).fromHeight();
  }

  /**
   * Checks a certificate against the set in force at its height and remembers it; a conflicting
   * one freezes the client. Relayers may submit certificates alone, as misbehaviour evidence.
   */
  public Checked<Integer> observe(CommitCertificate cert) {
    Checked<Integer> v = verify(cert);
    if (!v.ok()) {
      if (v.refusal().reason() == Rejection.CONFLICTING_BLOCKS) {
        misbehaviour = new Misbehaviour(cert.height(), certified.get(cert.height()), cert);
      }
      return v;
    }
    certified.putIfAbsent(cert.height(), cert);
    return v;
  }

  /**
   * What {@link #observe} decides, recording nothing: the epoch whose set certifies {@code cert},
   * or the refusal (CONFLICTING_BLOCKS is what would freeze the client).
   */
  public Checked<Integer> verify(CommitCertificate cert) {
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
      return Checked.refused(Rejection.CONFLICTING_BLOCKS, "blocks " + seen.blockId() + " and "
          + cert.blockId() + " are both certified at height " + height + "; bridge frozen");
    }
    return Checked.ok(in);
  }

  /** The proven transaction, once the block is certified and the path leads to its root. */
  public Checked<Transaction> verifyIncluded(InclusionProof p) {
    Checked<Integer> epoch = certifiedEpoch(p, true);
    return epoch.ok() ? included(p) : Checked.refused(epoch.refusal());
  }

  /** A committed lock or burn on the remote chain, with its replay id; remembers the certificate. */
  public Checked<RemoteTransfer> verifyTransfer(InclusionProof p) {
    return transfer(p, true);
  }

  /** What {@link #verifyTransfer} decides, recording nothing and never freezing. */
  public Checked<RemoteTransfer> checkTransfer(InclusionProof p) {
    return transfer(p, false);
  }

  private Checked<RemoteTransfer> transfer(InclusionProof p, boolean record) {
    Checked<Integer> epoch = certifiedEpoch(p, record);
    if (!epoch.ok()) {
      return Checked.refused(epoch.refusal());
    }
    Checked<Transaction> tx = included(p);
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
   * Follows a validator-set change committed under the set in force now, as the remote chain does
   * ({@code consensus.chain.EpochChanges}): the change must be authorized by a quorum of that set,
   * and the epoch ends at the block the change's commit certificate certifies. That is the change
   * block itself when its child came in the next round (prove it with one header), or the empty
   * blocks above it up to the first one whose child did (prove it through them: none may carry
   * transactions, and no header may follow its parent in the next round, as that pair would
   * have ended the epoch earlier). The next epoch's set signs under the signing chain id derived
   * from that base block ({@link ValidatorSet#next}) and is in force above it.
   */
  public Outcome followValidatorSet(InclusionProof p) {
    Checked<ValidatorSet> next = nextSet(p, true);
    if (!next.ok()) {
      return next.refusal();
    }
    BlockHeader base = p.certified();
    Epoch now = current();
    epochs.set(epochs.size() - 1, new Epoch(now.set(), now.fromHeight(), base.height()));
    epochs.add(new Epoch(next.value(), base.height() + 1, Long.MAX_VALUE));
    return Outcome.applied(epoch());
  }

  /**
   * What {@link #followValidatorSet} would refuse, with the same reason, without changing
   * anything: no certificate is recorded and a conflicting one does not freeze the client (it is
   * refused with CONFLICTING_BLOCKS). For a validator deciding whether to order a follow.
   */
  public Optional<Outcome.Rejected> checkValidatorSet(InclusionProof p) {
    Checked<ValidatorSet> next = nextSet(p, false);
    return next.ok() ? Optional.empty() : Optional.of(next.refusal());
  }

  /** The set the proven change starts, or the refusal; {@code record} as {@link #observe}. */
  private Checked<ValidatorSet> nextSet(InclusionProof p, boolean record) {
    List<BlockHeader> headers = p.headers();
    if (!frozen()) {
      for (int i = 1; i < headers.size() && i <= InclusionProof.MAX_HEADERS; i++) {
        BlockHeader h = headers.get(i);
        if (h.transactionCount() != 0) {
          return Checked.refused(Rejection.BAD_INCLUSION_PROOF, "block " + h.id() + " at height "
              + h.height() + " above the validator-set change carries transactions: the epoch"
              + " cannot end above it");
        }
        if (h.round() == headers.get(i - 1).round() + 1) {
          return Checked.refused(Rejection.BAD_INCLUSION_PROOF, "block " + h.id() + " at height "
              + h.height() + " follows its parent in the next round, so the change ended the"
              + " epoch below it: prove the change through " + i + " header(s), not through "
              + headers.size() + " headers");
        }
      }
    }
    Checked<Integer> epoch = certifiedEpoch(p, record);
    if (!epoch.ok()) {
      return Checked.refused(epoch.refusal());
    }
    BlockHeader base = p.certified();
    if (epoch.value() != epochs.size() - 1) {
      return Checked.refused(Rejection.STALE_VALIDATOR_SET, "the change at height "
          + p.block().height() + " is in epoch " + epoch.value() + ", already followed (this"
          + " client is in epoch " + epoch() + ")");
    }
    Checked<Transaction> tx = included(p);
    if (!tx.ok()) {
      return Checked.refused(tx.refusal());
    }
    Optional<EpochChange> change = reader.validatorSetChange(tx.value().body());
    if (change.isEmpty()) {
      return Checked.refused(Rejection.NOT_A_VALIDATOR_SET_CHANGE,
          "transaction " + tx.value().id() + " is not a validator-set change");
    }
    Epoch now = current();
    Verdict authorized = change.get().verify(now.set(), verifier);
    if (authorized.rejected()) {
      return Checked.refused(Rejection.NOT_A_VALIDATOR_SET_CHANGE, "transaction "
          + tx.value().id() + " does not change the set: " + authorized.reason());
    }
    return Checked.ok(now.set().next(change.get().keys(), base.id(), base.height(),
        base.time()));
  }

  /**
   * SHA-256 over everything this client holds: chain id, per epoch the hash of its set's keys, its
   * signing chain id (from the second epoch on) and its heights, per certified height the block
   * id, and the misbehaviour evidence if any.
   */
  public Digest stateDigest() {
    MessageDigest md = sha256();
    md.update(STATE_DOMAIN);
    md.update(chainId.bytes());
    putLong(md, epochs.size());
    for (Epoch e : epochs) {
      MessageDigest keys = sha256();
      for (int i = 0; i < e.set().size(); i++) {
        byte[] k = e.set().publicKey(i);
        putLong(keys, k.length);
        keys.update(k);
      }
      md.update(keys.digest());
      if (e.set().epoch() > 0) {
        // Where a followed epoch starts (its base block) decides what verifies in it.
        md.update(e.set().signingChainId().bytes());
      }
      putLong(md, e.fromHeight());
      putLong(md, e.toHeight());
    }
    putLong(md, certified.size());
    for (var c : certified.entrySet()) {
      putLong(md, c.getKey());
      md.update(c.getValue().blockId().bytes());
    }
    md.update((byte) (misbehaviour == null ? 0 : 1));
    if (misbehaviour != null) {
      putLong(md, misbehaviour.height());
      md.update(misbehaviour.first().blockId().bytes());
      md.update(misbehaviour.second().blockId().bytes());
    }
    return Digest.of(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  static void putLong(MessageDigest md, long v) {
    for (int s = 56; s >= 0; s -= 8) {
      md.update((byte) (v >>> s));
    }
  }

  /**
   * Linkage (headers chained parent to child at consecutive heights, at most {@link
   * InclusionProof#MAX_HEADERS}, none below the trusted height), then the certificate commits the
   * last header and verifies; {@code record} remembers it as {@link #observe} does.
   */
  private Checked<Integer> certifiedEpoch(InclusionProof p, boolean record) {
    if (frozen()) {
      return frozenRefusal();
    }
    List<BlockHeader> headers = p.headers();
    if (headers.size() > InclusionProof.MAX_HEADERS) {
      return Checked.refused(Rejection.BAD_INCLUSION_PROOF, "the proof carries "
          + headers.size() + " headers, at most " + InclusionProof.MAX_HEADERS);
    }
    BlockHeader first = headers.get(0);
    if (first.height() < epochs.get(0).fromHeight()) {
      return Checked.refused(Rejection.NOT_CERTIFIED, "block " + first.id() + " at height "
          + first.height() + " is below height " + epochs.get(0).fromHeight()
          + " the bridge trusts from");
    }
    for (int i = 1; i < headers.size(); i++) {
      BlockHeader parent = headers.get(i - 1);
      BlockHeader child = headers.get(i);
      if (!child.parentId().equals(parent.id()) || child.height() != parent.height() + 1) {
        return Checked.refused(Rejection.NOT_CERTIFIED, "header " + i + " (block " + child.id()
            + " at height " + child.height() + ") does not extend header " + (i - 1)
            + " (block " + parent.id() + " at height " + parent.height() + "): its parent is "
            + child.parentId());
      }
    }
    BlockHeader last = p.certified();
    if (!p.certificate().certifies(last)) {
      return Checked.refused(Rejection.NOT_CERTIFIED, "the certificate commits block "
          + p.certificate().blockId() + " at height " + p.certificate().height()
          + ", not block " + last.id() + " at height " + last.height());
    }
    return record ? observe(p.certificate()) : verify(p.certificate());
  }

  private Checked<Transaction> included(InclusionProof p) {
    BlockHeader block = p.block();
    byte[] leaf = MerkleTree.leafHash(MerkleTree.leafData(p.transaction()));
    if (!MerkleTree.verify(leaf, p.index(), block.transactionCount(), p.path(),
        block.transactionRoot())) {
      return Checked.refused(Rejection.BAD_INCLUSION_PROOF, "transaction " + p.transaction().id()
          + " is not at index " + p.index() + " of the " + block.transactionCount()
          + " transactions of block " + block.id() + " at height " + block.height() + " (root "
          + block.transactionRoot() + ")");
    }
    return Checked.ok(p.transaction());
  }

  SignatureVerifier verifier() {
    return verifier;
  }

  /** The validator set in force at {@code height}, if the client trusts that height. */
  public Optional<ValidatorSet> validatorSetAt(long height) {
    int e = epochAt(height);
    return e < 0 ? Optional.empty() : Optional.of(epochs.get(e).set());
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

  <T> Checked<T> frozenRefusal() {
    return Checked.refused(Rejection.BRIDGE_FROZEN, "bridge to chain " + chainId
        + " is frozen: two blocks certified at height " + misbehaviour.height());
  }
}
