package online.hypermesh.protocol.caesar;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;

/**
 * This chain's side of a bridge to one remote chain: it redeems proven remote locks (minting here)
 * and burns (releasing units locked here), each lock id once. No fee is taken: the recipient gets
 * the locked amount, and demurrage applies again from the block it arrives in.
 *
 * <p>Order of checks: frozen, the claim's source chain is this escrow's remote chain, light
 * client (header linkage, certified by the right set, included), a lock or burn,
 * addressed to this chain, not redeemed before, the relayer's recipient and amount equal to the
 * signed ones, at least f + 1 {@link ExecutionAttestation}s by the remote set in force at the
 * transaction's height that its ledger applied it (a commit proves inclusion, not execution),
 * then the ledger (a release never exceeds what was locked for that chain).
 */
public final class BridgeEscrow {

  private static final byte[] DOMAIN = "HM-CAES-ESCROW-1".getBytes(StandardCharsets.US_ASCII);

  private final Digest localChainId;
  private final BridgeLightClient remote;
  private final Ledger ledger;
  private final Set<Digest> redeemed = new HashSet<>();

  public BridgeEscrow(Digest localChainId, BridgeLightClient remote, Ledger ledger) {
    this.localChainId = Objects.requireNonNull(localChainId);
    this.remote = Objects.requireNonNull(remote);
    this.ledger = Objects.requireNonNull(ledger);
  }

  public BridgeLightClient lightClient() {
    return remote;
  }

  public boolean redeemed(Digest lockId) {
    return redeemed.contains(lockId);
  }

  public Outcome followValidatorSet(InclusionProof proof) {
    return remote.followValidatorSet(proof);
  }

  /** How many remote locks and burns this escrow has paid out. */
  public int redeemedCount() {
    return redeemed.size();
  }

  /**
   * Applies a relayed claim: the light client (which remembers the certificate and may freeze on
   * a conflicting one), then the checks of the class comment, then the ledger mints or releases.
   */
  public Outcome redeem(CaesarTransaction.Redeem claim, BlockTime at) {
    Checked<RemoteTransfer> checked = decide(claim, true);
    if (!checked.ok()) {
      return checked.refusal();
    }
    RemoteTransfer t = checked.value();
    Outcome done = t.direction() == RemoteTransfer.Direction.LOCK
        ? ledger.mint(remote.chainId(), t.recipient(), t.amount(), at)
        : ledger.unlock(remote.chainId(), t.recipient(), t.amount(), at);
    if (done.applied()) {
      redeemed.add(t.lockId());
    }
    return done;
  }

  /**
   * What {@link #redeem} would refuse, with the same reason, without changing anything: nothing is
   * recorded and a conflicting certificate does not freeze the bridge (it is refused with
   * CONFLICTING_BLOCKS). For a validator deciding whether to order a claim. The ledger part is
   * the release limit only (bridged-out for the source chain); the block time is not known here.
   */
  public Optional<Outcome.Rejected> check(CaesarTransaction.Redeem claim) {
    Checked<RemoteTransfer> checked = decide(claim, false);
    if (!checked.ok()) {
      return Optional.of(checked.refusal());
    }
    RemoteTransfer t = checked.value();
    if (t.direction() == RemoteTransfer.Direction.BURN) {
      long out = ledger.bridgedOut(remote.chainId());
      if (out < t.amount()) {
        return Optional.of(new Outcome.Rejected(Rejection.BRIDGE_LIMIT,
            "only " + out + " units are locked for chain " + remote.chainId()));
      }
    }
    return Optional.empty();
  }

  private Checked<RemoteTransfer> decide(CaesarTransaction.Redeem claim, boolean record) {
    if (remote.frozen()) {
      return remote.frozenRefusal();
    }
    if (!claim.sourceChain().equals(remote.chainId())) {
      return Checked.refused(Rejection.WRONG_CHAIN, "the claim comes from chain "
          + claim.sourceChain() + ", this escrow bridges chain " + remote.chainId());
    }
    Checked<RemoteTransfer> checked = record
        ? remote.verifyTransfer(claim.proof()) : remote.checkTransfer(claim.proof());
    if (!checked.ok()) {
      return checked;
    }
    RemoteTransfer t = checked.value();
    if (!t.destinationChain().equals(localChainId)) {
      return Checked.refused(Rejection.WRONG_CHAIN, "the " + t.direction() + " is for chain "
          + t.destinationChain() + ", this is chain " + localChainId);
    }
    if (redeemed.contains(t.lockId())) {
      return Checked.refused(Rejection.REPLAYED_LOCK, "lock " + t.lockId() + " was redeemed");
    }
    if (!t.recipient().equals(claim.recipient()) || t.amount() != claim.amount()) {
      return Checked.refused(Rejection.MISMATCHED_LOCK, "the signed " + t.direction() + " pays "
          + t.amount() + " to " + t.recipient() + ", the claim " + claim.amount() + " to "
          + claim.recipient());
    }
    long height = claim.proof().block().height();
    Optional<ValidatorSet> set = remote.validatorSetAt(height);
    if (set.isEmpty()) {
      return Checked.refused(Rejection.NOT_CERTIFIED, "no trusted validator set at height "
          + height);
    }
    Checked<Integer> attested = ExecutionAttestation.verify(claim.attestations(), set.get(),
        remote.verifier(), claim.proof().transaction().id(), height);
    return attested.ok() ? checked : Checked.refused(attested.refusal());
  }

  /**
   * SHA-256 over everything this escrow and its light client hold (the client's {@link
   * BridgeLightClient#stateDigest}, then the redeemed lock ids sorted), for the chain's state
   * digest.
   */
  public Digest stateDigest() {
    MessageDigest md = BridgeLightClient.sha256();
    md.update(DOMAIN);
    md.update(localChainId.bytes());
    md.update(remote.stateDigest().bytes());
    BridgeLightClient.putLong(md, redeemed.size());
    for (Digest id : new TreeSet<>(redeemed)) {
      md.update(id.bytes());
    }
    return Digest.of(md.digest());
  }
}
