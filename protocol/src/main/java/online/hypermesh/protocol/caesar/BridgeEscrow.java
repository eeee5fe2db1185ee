package online.hypermesh.protocol.caesar;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import online.hypermesh.protocol.consensus.bft.Digest;

/**
 * This chain's side of a bridge to one remote chain: it redeems proven remote locks (minting here)
 * and burns (releasing units locked here), each lock id once. No fee is taken: the recipient gets
 * the locked amount, and demurrage applies again from the block it arrives in.
 *
 * <p>Order of checks: light client (frozen, certified by the right set, included), a lock or burn,
 * addressed to this chain, not redeemed before, the relayer's recipient and amount equal to the
 * signed ones, then the ledger (a release never exceeds what was locked for that chain).
 */
public final class BridgeEscrow {

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

  public Outcome redeem(CaesarTransaction.Redeem claim, BlockTime at) {
    Checked<RemoteTransfer> checked = remote.verifyTransfer(claim.proof());
    if (!checked.ok()) {
      return checked.refusal();
    }
    RemoteTransfer t = checked.value();
    if (!t.destinationChain().equals(localChainId)) {
      return Outcome.rejected(Rejection.WRONG_CHAIN, "the " + t.direction() + " is for chain "
          + t.destinationChain() + ", this is chain " + localChainId);
    }
    if (redeemed.contains(t.lockId())) {
      return Outcome.rejected(Rejection.REPLAYED_LOCK, "lock " + t.lockId() + " was redeemed");
    }
    if (!t.recipient().equals(claim.recipient()) || t.amount() != claim.amount()) {
      return Outcome.rejected(Rejection.MISMATCHED_LOCK, "the signed " + t.direction() + " pays "
          + t.amount() + " to " + t.recipient() + ", the claim " + claim.amount() + " to "
          + claim.recipient());
    }
    Outcome done = t.direction() == RemoteTransfer.Direction.LOCK
        ? ledger.mint(remote.chainId(), t.recipient(), t.amount(), at)
        : ledger.unlock(remote.chainId(), t.recipient(), t.amount(), at);
    if (done.applied()) {
      redeemed.add(t.lockId());
    }
    return done;
  }
}
