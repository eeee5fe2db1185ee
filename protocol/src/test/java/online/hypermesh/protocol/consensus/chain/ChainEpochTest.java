package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.Signer;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.Identity;
import org.junit.jupiter.api.Test;

/**
 * A committed VALIDATOR_SET_CHANGE switches the chain state to the next epoch's set: later blocks
 * verify against it, the old set's certificates above the change are refused as a stale epoch, and
 * a replay switches at the same block. Real FALCON keys throughout.
 */
class ChainEpochTest {

  private static final Identity NEWCOMER = ChainFixture.node("validator-4");

  private final ChainFixture f = new ChainFixture();
  private final ValidatorSet set0 = f.set;
  /** Validators 1-3 stay, the newcomer joins, validator 0 leaves. */
  private final List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2),
      set0.publicKey(3), NEWCOMER.leaf().getPublicKey().getEncoded());
  private long nonce = 1_000;

  private Signer epoch1Signer(int index) {
    return new FalconSigner(index < 3 ? ChainFixture.VALIDATORS.get(index + 1).privateKey()
        : NEWCOMER.privateKey());
  }

  private Transaction change(int... signers) {
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    for (int i : signers) {
      sigs.put(i, EpochChange.sign(set0, keys1,
          new FalconSigner(ChainFixture.VALIDATORS.get(i).privateKey())));
    }
    byte[] payload = new EpochChange(keys1, sigs).encode();
    var reference = f.genesis.genesisTick();
    return f.prover.prove(TransactionKind.VALIDATOR_SET_CHANGE, payload, nonce++,
        reference.timestampMillis() + 500, null, reference);
  }

  private Transaction transfer() {
    return f.transfer(f.genesis.genesisTick());
  }

  /** A QC under {@code set} by validators 0-2 of it. */
  private QuorumCert qc(ValidatorSet set, Block block) {
    VoteData data = VoteData.of(block);
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      Signer s = set.epoch() == 0
          ? new FalconSigner(ChainFixture.VALIDATORS.get(i).privateKey()) : epoch1Signer(i);
      sigs.put(i, Vote.sign(data, i, s, set.signingChainId()).signature());
    }
    return new QuorumCert(data, sigs);
  }

  private Block child(ValidatorSet set, Block parent, QuorumCert parentQc, List<Transaction> txs) {
    List<online.hypermesh.protocol.consensus.bft.Transaction> wire = new ArrayList<>();
    for (Transaction tx : txs) {
      wire.add(ChainFixture.wire(tx));
    }
    long round = parentQc.round() + 1;
    return new Block(round, parent.height() + 1, set.leader(round), parentQc,
        set.timing().next(parent.time(), parent.time().timestampMillis() + 500), wire);
  }

  @Test
  void aCommittedChangeSwitchesTheSetAndTheOldSetGoesStale() {
    ChainFixture.Chain chain = f.chain(List.of(List.of(transfer()), List.of(change(0, 1, 3))));
    ChainState state = ChainState.genesis(f.genesis);
    state.apply(chain.blocks().get(0), chain.certificates().get(0));
    assertEquals(0, state.epoch());
    var before = state.stateDigest();
    Block changeBlock = chain.blocks().get(1);
    List<AppliedTransaction> applied = state.apply(changeBlock, chain.certificates().get(1));
    assertEquals(1, applied.size(), "the change is applied as a transaction too");
    assertEquals(1, state.epoch());
    ValidatorSet set1 = state.validatorSet();
    assertEquals(changeBlock.id(), set1.genesisId());
    assertEquals(changeBlock.height(), set1.genesisHeight());
    assertEquals(4, set1.size());
    assertEquals(set0.signingChainId(), state.validatorSetOf(0).orElseThrow().signingChainId());
    assertNotEquals(before, state.stateDigest());

    // The old set certifies the (empty) block above the change: refused, state unchanged.
    Block stale = child(set0, changeBlock, chain.qcs().get(1), List.of());
    Block staleChild = child(set0, stale, qc(set0, stale), List.of());
    var digest = state.stateDigest();
    CommitRejectedException e = assertThrows(CommitRejectedException.class,
        () -> state.apply(stale, new CommitCertificate(qc(set0, staleChild))));
    assertTrue(e.getMessage().contains("stale epoch"), e.getMessage());
    assertTrue(e.getMessage().contains("epoch 0, which ended at height 2"), e.getMessage());
    assertEquals(digest, state.stateDigest());

    // The new set's first block: round 1 on the unsigned QC of the change block.
    Block first = child(set1, changeBlock, set1.genesisQc(), List.of(transfer()));
    Block second = child(set1, first, qc(set1, first), List.of());
    assertEquals(1, state.apply(first, new CommitCertificate(qc(set1, second))).size());
    assertEquals(3, state.height());
    assertEquals(first.id(), state.tipId());

    // A replay from genesis switches at the same block and ends in the same state.
    ChainState replay = ChainState.genesis(f.genesis);
    replay.apply(chain.blocks().get(0), chain.certificates().get(0));
    replay.apply(changeBlock, chain.certificates().get(1));
    replay.apply(first, new CommitCertificate(qc(set1, second)));
    assertEquals(state.stateDigest(), replay.stateDigest());
  }

  /** Block after {@code parent} in round parent QC round + 2: a round timed out in between. */
  private Block afterTimeout(Block parent, QuorumCert parentQc, List<Transaction> txs) {
    List<online.hypermesh.protocol.consensus.bft.Transaction> wire = new ArrayList<>();
    for (Transaction tx : txs) {
      wire.add(ChainFixture.wire(tx));
    }
    long round = parentQc.round() + 2;
    return new Block(round, parent.height() + 1, set0.leader(round), parentQc,
        set0.timing().next(parent.time(), parent.time().timestampMillis() + 500), wire);
  }

  @Test
  void theEpochEndsAtTheCertifiedTopAndNothingFullMayFollowTheChange() {
    // The change's child came a round late, so the 2-chain that commits the change certifies
    // the empty block above it: the epoch ends there.
    ChainFixture.Chain chain = f.chain(List.of(List.of(change(0, 1, 2))));
    Block changeBlock = chain.blocks().get(0);
    Block suffix = afterTimeout(changeBlock, chain.qcs().get(0), List.of());
    Block top = child(set0, suffix, qc(set0, suffix), List.of());
    CommitCertificate cert = new CommitCertificate(qc(set0, top));
    ChainState state = ChainState.genesis(f.genesis);
    assertEquals(List.of(), state.apply(changeBlock, cert));
    assertEquals(0, state.epoch());
    state.apply(suffix, cert);
    assertEquals(1, state.epoch());
    assertEquals(suffix.id(), state.validatorSet().genesisId());
    assertEquals(2, state.validatorSet().genesisHeight());

    // Full blocks above the change are refused, whatever certifies them.
    Block full = afterTimeout(changeBlock, chain.qcs().get(0), List.of(transfer()));
    Block fullTop = child(set0, full, qc(set0, full), List.of());
    ChainState other = ChainState.genesis(f.genesis);
    CommitCertificate fullCert = new CommitCertificate(qc(set0, fullTop));
    other.apply(changeBlock, fullCert);
    CommitRejectedException e = assertThrows(CommitRejectedException.class,
        () -> other.apply(full, fullCert));
    assertTrue(e.getMessage().contains("carries transactions above the validator-set change"),
        e.getMessage());
    assertEquals(0, other.height());

    // A child in the very next round already committed the change: the epoch ended at it, and
    // a certificate of the old set committing that child too is refused.
    ChainFixture.Chain direct = f.chain(List.of(List.of(change(0, 1, 2)), List.of()));
    ChainState third = ChainState.genesis(f.genesis);
    third.apply(direct.blocks().get(0), direct.certificates().get(1));
    e = assertThrows(CommitRejectedException.class,
        () -> third.apply(direct.blocks().get(1), direct.certificates().get(1)));
    assertTrue(e.getMessage().contains("follows its parent in the next round"), e.getMessage());
    assertEquals(0, third.epoch());
  }

  @Test
  void aChangeWithoutAQuorumIsAnOrdinaryTransaction() {
    ChainFixture.Chain chain = f.chain(List.of(List.of(change(0, 1)), List.of(transfer())));
    ChainState state = ChainState.genesis(f.genesis);
    state.apply(chain.blocks().get(0), chain.certificates().get(0));
    state.apply(chain.blocks().get(1), chain.certificates().get(1));
    assertEquals(0, state.epoch());
    assertEquals(2, state.height());
    assertEquals(set0.signingChainId(), state.validatorSet().signingChainId());
    assertTrue(EpochChanges.find(chain.blocks().get(0), set0,
        new online.hypermesh.protocol.consensus.bft.FalconVerifier()).isEmpty());
  }
}
