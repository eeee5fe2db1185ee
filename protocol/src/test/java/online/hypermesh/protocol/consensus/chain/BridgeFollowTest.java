package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.caesar.AccountView;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.ExecutionAttestation;
import online.hypermesh.protocol.caesar.InclusionProof;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import org.junit.jupiter.api.Test;

/**
 * Chain B follows chain A's validator-set change through a committed BRIDGE_FOLLOW: before it,
 * B's light client of A still trusts A's retired set above the change (a lock certified there by
 * the old validators would redeem) and knows nothing of the new set; after it, the old set's
 * proofs are STALE_VALIDATOR_SET and the new set's lock, attested under the new epoch's signing
 * id, redeems. A replayed follow, an unauthorized change, a non-change and a follow without a
 * bridge are refused with their reasons, identically before ordering and at commit, and B's
 * state is reproduced by re-applying its blocks. Real FALCON keys throughout.
 */
class BridgeFollowTest {

  private static final Digest CHAIN_A = Digest.sha256("follow A".getBytes(StandardCharsets.UTF_8));
  private static final Digest CHAIN_B = Digest.sha256("follow B".getBytes(StandardCharsets.UTF_8));
  private static final CaesarParameters TOKEN = new CaesarParameters(0, 0, 3, 1_000, 500);
  private static final Identity ALICE = user("alice");
  private static final Identity BOB = user("bob");
  private static final Identity NEWCOMER = ChainFixture.node("validator-4");
  private static final long START = 1_000_000L;

  /** One chain driven block by block (each committed by a QC on its child in the next round). */
  private static final class Driver {
    final ChainFixture f;
    final ChainState state;
    final List<Block> blocks = new ArrayList<>();
    final List<CommitCertificate> certificates = new ArrayList<>();
    ValidatorSet set;
    List<PrivateKey> signers = ChainFixture.VALIDATORS.stream().map(Identity::privateKey)
        .toList();
    /** The signers of the next epoch, once a change commits. */
    List<PrivateKey> nextSigners;
    QuorumCert parent;
    BlockTime parentTime;
    private long envelopeNonce = 7_000_000;

    Driver(Digest chainId) {
      f = new ChainFixture(chainId);
      state = ChainState.genesis(caesarGenesis(f.genesis));
      set = f.set;
      parent = set.genesisQc();
      parentTime = set.timing().genesis();
    }

    Transaction envelope(CaesarTransaction op, Identity owner) {
      byte[] payload = owner == null ? CaesarCodec.encode(op) : CaesarCodec.encode(op,
          OwnerAuthorization.sign(f.chainId, op, owner.privateKey(), owner.chain()));
      return envelope(CaesarCodec.kindOf(op), payload);
    }

    Transaction envelope(TransactionKind kind, byte[] payload) {
      var ref = state.head();
      return f.prover.prove(kind, payload, envelopeNonce++, ref.timestampMillis() + 500, null,
          ref);
    }

    /** A change to {@code keys}, signed by validators {@code by} of the set in force. */
    Transaction change(List<byte[]> keys, int... by) {
      TreeMap<Integer, byte[]> sigs = new TreeMap<>();
      for (int i : by) {
        sigs.put(i, EpochChange.sign(set, keys, new FalconSigner(signers.get(i))));
      }
      return envelope(TransactionKind.VALIDATOR_SET_CHANGE, new EpochChange(keys, sigs).encode());
    }

    Optional<String> precheck(Transaction tx) {
      return state.caesar().orElseThrow().precheck(tx, f.certificates(), null);
    }

    static Block block(ValidatorSet set, QuorumCert parent, BlockTime parentTime,
        List<Transaction> txs) {
      long round = parent.round() + 1;
      return new Block(round, parent.height() + 1, set.leader(round), parent,
          set.timing().next(parentTime, parentTime.timestampMillis() + 500),
          txs.stream().map(ChainFixture::wire).toList());
    }

    /** A QC on {@code block} by the first quorum of {@code keys}, under {@code set}'s id. */
    static QuorumCert qc(ValidatorSet set, List<PrivateKey> keys, Block block) {
      VoteData data = VoteData.of(block);
      TreeMap<Integer, byte[]> sigs = new TreeMap<>();
      for (int i = 0; i < set.quorum(); i++) {
        sigs.put(i, Vote.sign(data, i, new FalconSigner(keys.get(i)), set.signingChainId())
            .signature());
      }
      return new QuorumCert(data, sigs);
    }

    /** Commits a block of {@code txs}; switches to the next epoch's signers if it ends one. */
    List<AppliedTransaction> commit(Transaction... txs) {
      Block block = block(set, parent, parentTime, List.of(txs));
      QuorumCert onBlock = qc(set, signers, block);
      Block child = block(set, onBlock, block.time(), List.of());
      CommitCertificate cert = new CommitCertificate(qc(set, signers, child));
      List<AppliedTransaction> applied = state.apply(block, cert);
      blocks.add(block);
      certificates.add(cert);
      parent = onBlock;
      parentTime = block.time();
      if (state.epoch() > set.epoch()) {
        set = state.validatorSet();
        signers = nextSigners;
        parent = set.genesisQc();
      }
      return applied;
    }

    InclusionProof lastProof(int index) {
      return InclusionProof.of(blocks.get(blocks.size() - 1),
          certificates.get(certificates.size() - 1), index);
    }

    /** Attestations by validators {@code by} of {@code set} (the set in force at the height). */
    CaesarTransaction.Redeem claim(InclusionProof proof, Digest recipient, long amount,
        ValidatorSet set, List<PrivateKey> keys, int... by) {
      List<ExecutionAttestation> attestations = new ArrayList<>();
      for (int i : by) {
        attestations.add(ExecutionAttestation.sign(new FalconSigner(keys.get(i)), i,
            set.signingChainId(), proof.transaction().id(), proof.block().height()));
      }
      return new CaesarTransaction.Redeem(f.chainId, recipient, amount, proof, attestations);
    }

    long balance(Identity who) {
      CaesarState c = state.caesar().orElseThrow();
      return c.account(account(who), c.clock().millis()).map(AccountView::balance).orElse(0L);
    }

    CaesarState.BridgeView bridge() {
      return state.caesar().orElseThrow().bridges().get(0);
    }
  }

  private static Identity user(String name) {
    return ChainFixture.CA.issueIdentity(LeafSpec.of(name, CertificateRole.CLIENT,
        List.of(name + ".mesh.test"), List.of(), Duration.ofDays(1)).withValidity(
            ChainFixture.NOW.minus(Duration.ofDays(1)), ChainFixture.NOW.plus(Duration.ofDays(1))));
  }

  private static Digest account(Identity id) {
    return Digest.of(Accounts.id(id.leaf().getPublicKey()));
  }

  private static Genesis caesarGenesis(Genesis plain) {
    String sender = HexFormat.of().formatHex(ChainFixture.SENDER_ACCOUNT);
    return new Genesis(plain.chainId(), plain.validators(), plain.parameters(), Map.of(),
        plain.plots(), plain.regions(), plain.genesisTimeMillis(), plain.tickSeed(),
        plain.ticksPerBlock(), new CaesarGenesis(TOKEN, Map.of(account(ALICE).hex(), START),
            Map.of(sender, 5_000L), 10_000_000L, account(ALICE).hex()));
  }

  /** Refused before ordering and, committed anyway, failed at commit for the same reason. */
  private static void assertRefusedBoth(String expected, Driver d, Transaction tx) {
    Optional<String> before = d.precheck(tx);
    assertTrue(before.isPresent() && before.get().startsWith(expected + ": "),
        expected + " expected before ordering: " + before);
    String failure = d.commit(tx).get(0).failure();
    assertTrue(failure.startsWith(expected + ": "), expected + " expected at commit: " + failure);
    assertEquals(before.get(), failure, "the precheck says what the commit does");
  }

  @Test
  void aFollowedChangeRetiresTheOldSetAndCertifiesTheNewOne() {
    Driver a = new Driver(CHAIN_A);
    Driver b = new Driver(CHAIN_B);
    assertEquals("", a.commit(a.envelope(new CaesarTransaction.Register(0, CHAIN_B, 0,
        b.f.genesis.publicKeys()), ALICE)).get(0).failure());
    assertEquals("", b.commit(b.envelope(new CaesarTransaction.Register(0, CHAIN_A, 0,
        a.f.genesis.publicKeys()), ALICE)).get(0).failure());

    // A changes its set: validator 0 leaves, a newcomer joins; validators 0, 1 and 3 authorize.
    ValidatorSet set0 = a.set;
    List<PrivateKey> keys0 = a.signers;
    List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2), set0.publicKey(3),
        NEWCOMER.leaf().getPublicKey().getEncoded());
    a.nextSigners = List.of(keys0.get(1), keys0.get(2), keys0.get(3), NEWCOMER.privateKey());
    a.commit(a.change(keys1, 0, 1, 3));
    Block changeBlock = a.blocks.get(a.blocks.size() - 1);
    assertEquals(1, a.state.epoch());
    ValidatorSet set1 = a.set;
    assertEquals(changeBlock.height(), set1.genesisHeight());
    InclusionProof changeProof = a.lastProof(0);

    // The retired validators go on above the change on a fork: a lock they certify.
    Transaction ghostLock = a.envelope(new CaesarTransaction.Lock(1, CHAIN_B, account(BOB), 700),
        ALICE);
    QuorumCert onChange = Driver.qc(set0, keys0, changeBlock);
    Block ghost = Driver.block(set0, onChange, changeBlock.time(), List.of(ghostLock));
    QuorumCert onGhost = Driver.qc(set0, keys0, ghost);
    Block ghostChild = Driver.block(set0, onGhost, ghost.time(), List.of());
    InclusionProof ghostProof = InclusionProof.of(ghost,
        new CommitCertificate(Driver.qc(set0, keys0, ghostChild)), 0);
    CaesarTransaction.Redeem staleClaim = a.claim(ghostProof, account(BOB), 700, set0, keys0,
        0, 1);

    // The new set commits a real lock on A, and a change without a quorum (an ordinary tx).
    assertEquals("", a.commit(a.envelope(
        new CaesarTransaction.Lock(1, CHAIN_B, account(BOB), 1_000), ALICE)).get(0).failure());
    assertEquals(changeBlock.height() + 1, a.blocks.get(a.blocks.size() - 1).height());
    CaesarTransaction.Redeem newClaim = a.claim(a.lastProof(0), account(BOB), 1_000, set1,
        a.signers, 0, 1);
    a.commit(a.change(List.of(keys1.get(0), keys1.get(1)), 0, 1));
    assertEquals(1, a.state.epoch(), "not a quorum of epoch 1: no change on A either");
    InclusionProof weakChange = a.lastProof(0);

    // Before B follows: the retired set still passes, the new set is unknown to B.
    assertEquals(Optional.empty(), b.precheck(b.envelope(staleClaim, null)));
    assertTrue(b.precheck(b.envelope(newClaim, null)).orElse("")
        .startsWith("FORGED_CERTIFICATE: "), String.valueOf(b.precheck(b.envelope(newClaim, null))));
    assertTrue(b.precheck(b.envelope(new CaesarTransaction.Follow(CHAIN_A, weakChange), null))
        .orElse("").startsWith("FORGED_CERTIFICATE: "));

    // Refusals of a follow, each before ordering and at commit alike.
    assertRefusedBoth("NO_BRIDGE", b, b.envelope(new CaesarTransaction.Follow(
        Digest.sha256("no such chain".getBytes(StandardCharsets.UTF_8)), changeProof), null));
    assertRefusedBoth("NOT_A_VALIDATOR_SET_CHANGE", b, b.envelope(
        new CaesarTransaction.Follow(CHAIN_A, InclusionProof.of(a.blocks.get(0),
            a.certificates.get(0), 0)), null));
    InclusionProof misplaced = new InclusionProof(changeProof.headers(),
        changeProof.certificate(), changeProof.transaction(), 1, changeProof.path());
    assertRefusedBoth("BAD_INCLUSION_PROOF", b, b.envelope(
        new CaesarTransaction.Follow(CHAIN_A, misplaced), null));
    assertEquals(0, b.bridge().epoch());

    // The follow.
    var beforeFollow = b.state.stateDigest();
    Transaction follow = b.envelope(new CaesarTransaction.Follow(CHAIN_A, changeProof), null);
    assertEquals(Optional.empty(), b.precheck(follow));
    assertEquals(TransactionKind.BRIDGE_FOLLOW, follow.kind());
    assertEquals("", b.commit(follow).get(0).failure());
    assertNotEquals(beforeFollow, b.state.stateDigest());
    assertEquals(1, b.bridge().epoch());
    assertEquals(changeBlock.height() + 1, b.bridge().epochFromHeight());
    assertEquals(set1.signingChainId(), b.state.caesar().orElseThrow().bridge(CHAIN_A)
        .orElseThrow().lightClient().validatorSet().signingChainId());

    // After: the retired set is stale, the new set's lock redeems once.
    assertRefusedBoth("STALE_VALIDATOR_SET", b, b.envelope(staleClaim, null));
    assertEquals(0, b.balance(BOB));
    Transaction redeem = b.envelope(newClaim, null);
    assertEquals(Optional.empty(), b.precheck(redeem));
    assertEquals("", b.commit(redeem).get(0).failure());
    assertEquals(1_000, b.balance(BOB));

    // Replayed, and the change without a quorum of the set in force. A validator of B refuses
    // the replay before ordering, through its transaction validator.
    Transaction replayed = b.envelope(new CaesarTransaction.Follow(CHAIN_A, changeProof), null);
    var verdict = b.f.validator(b.state).validate(ChainFixture.wire(replayed),
        new online.hypermesh.protocol.consensus.bft.TransactionValidator.BlockContext(
            b.state.height() + 1, b.state.height() + 1, b.state.tipId(), 0));
    assertTrue(verdict.rejected() && verdict.reason().startsWith(
        "PAYLOAD: CAES STALE_VALIDATOR_SET: "), verdict.toString());
    assertRefusedBoth("STALE_VALIDATOR_SET", b, replayed);
    assertRefusedBoth("NOT_A_VALIDATOR_SET_CHANGE", b, b.envelope(
        new CaesarTransaction.Follow(CHAIN_A, weakChange), null));
    assertEquals(1, b.bridge().epoch());

    // Every node applying B's blocks reaches the same state, the followed epoch included.
    for (Driver d : List.of(a, b)) {
      ChainState replay = ChainState.genesis(d.state.genesisConfig());
      for (int i = 0; i < d.blocks.size(); i++) {
        replay.apply(d.blocks.get(i), d.certificates.get(i));
      }
      assertEquals(d.state.stateDigest(), replay.stateDigest());
    }
  }

  /**
   * A chain that changed its set before the bridge existed: registered from its genesis set
   * (trusted from height 0), then followed through the change, its new set's lock redeems.
   */
  @Test
  void aChainPastItsFirstEpochIsRegisteredFromGenesisThenFollowed() {
    Driver a = new Driver(CHAIN_A);
    Driver b = new Driver(CHAIN_B);
    assertEquals("", a.commit(a.envelope(new CaesarTransaction.Register(0, CHAIN_B, 0,
        b.f.genesis.publicKeys()), ALICE)).get(0).failure());
    ValidatorSet set0 = a.set;
    List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2), set0.publicKey(3),
        NEWCOMER.leaf().getPublicKey().getEncoded());
    a.nextSigners = List.of(a.signers.get(1), a.signers.get(2), a.signers.get(3),
        NEWCOMER.privateKey());
    a.commit(a.change(keys1, 0, 1, 2));
    InclusionProof changeProof = a.lastProof(0);
    assertEquals("", a.commit(a.envelope(
        new CaesarTransaction.Lock(1, CHAIN_B, account(BOB), 400), ALICE)).get(0).failure());
    CaesarTransaction.Redeem claim = a.claim(a.lastProof(0), account(BOB), 400, a.set,
        a.signers, 0, 1);

    assertEquals("", b.commit(b.envelope(new CaesarTransaction.Register(0, CHAIN_A, 0,
        a.f.genesis.publicKeys()), ALICE)).get(0).failure());
    assertRefusedBoth("FORGED_CERTIFICATE", b, b.envelope(claim, null));
    assertEquals("", b.commit(b.envelope(new CaesarTransaction.Follow(CHAIN_A, changeProof),
        null)).get(0).failure());
    assertEquals(1, b.bridge().epoch());
    assertEquals("", b.commit(b.envelope(claim, null)).get(0).failure());
    assertEquals(400, b.balance(BOB));
  }

  /**
   * Block rewards go to the accounts of the block's epoch's set: after the change the same
   * proposer and signer indices name other validators, and the retired one earns nothing more.
   */
  @Test
  void blockRewardsPayTheValidatorsOfTheBlocksEpoch() {
    Driver a = new Driver(CHAIN_A);
    ValidatorSet set0 = a.set;
    List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2), set0.publicKey(3),
        NEWCOMER.leaf().getPublicKey().getEncoded());
    a.nextSigners = List.of(a.signers.get(1), a.signers.get(2), a.signers.get(3),
        NEWCOMER.privateKey());
    a.commit(a.change(keys1, 0, 1, 3));
    assertEquals(1, a.state.epoch());
    CaesarState c = a.state.caesar().orElseThrow();
    Digest retired = Digest.sha256(set0.publicKey(0));
    Digest newcomer = Digest.sha256(keys1.get(3));
    Digest stays = Digest.sha256(keys1.get(0));
    long retiredBefore = balanceOf(c, retired);
    long newcomerBefore = balanceOf(c, newcomer);
    long staysBefore = balanceOf(c, stays);
    for (int i = 0; i < 6; i++) {
      a.commit();
    }
    // Six epoch-1 blocks: the first on the unsigned base QC, then QCs by epoch-1 indices 0-2
    // (old validators 1-3), proposers by round over all four, the newcomer among them.
    assertEquals(retiredBefore, balanceOf(c, retired), "the retired validator is paid nothing");
    assertTrue(balanceOf(c, newcomer) > newcomerBefore, "the newcomer proposes and is paid");
    assertTrue(balanceOf(c, stays) > staysBefore, "epoch 1's validator 0 signs and is paid");
    assertTrue(c.supply(c.clock().millis()).holds());
  }

  private static long balanceOf(CaesarState c, Digest account) {
    return c.account(account, c.clock().millis()).map(AccountView::balance).orElse(0L);
  }

  @Test
  void attestationsUnderTheOldEpochIdDoNotRedeemANewEpochLock() {
    Driver a = new Driver(CHAIN_A);
    Driver b = new Driver(CHAIN_B);
    a.commit(a.envelope(new CaesarTransaction.Register(0, CHAIN_B, 0,
        b.f.genesis.publicKeys()), ALICE));
    b.commit(b.envelope(new CaesarTransaction.Register(0, CHAIN_A, 0,
        a.f.genesis.publicKeys()), ALICE));
    ValidatorSet set0 = a.set;
    List<PrivateKey> keys0 = a.signers;
    // Same keys, new epoch: only the signing chain id changes.
    a.nextSigners = keys0;
    a.commit(a.change(set0.publicKeys(), 0, 1, 2));
    InclusionProof changeProof = a.lastProof(0);
    a.commit(a.envelope(new CaesarTransaction.Lock(1, CHAIN_B, account(BOB), 50), ALICE));
    assertEquals(a.set.signingChainId(), a.state.validatorSetAt(
        a.blocks.get(a.blocks.size() - 1).height()).signingChainId());
    assertEquals(set0.signingChainId(), a.state.validatorSetAt(
        a.blocks.get(a.blocks.size() - 2).height()).signingChainId());
    assertNotEquals(set0.signingChainId(), a.set.signingChainId());
    assertEquals(a.blocks.get(a.blocks.size() - 2).transactions().get(0).id(),
        a.state.changeOf(1).orElseThrow());
    assertEquals(Optional.empty(), a.state.changeOf(2));
    InclusionProof lock = a.lastProof(0);
    assertEquals("", b.commit(b.envelope(new CaesarTransaction.Follow(CHAIN_A, changeProof),
        null)).get(0).failure());
    CaesarTransaction.Redeem oldId = a.claim(lock, account(BOB), 50, set0, keys0, 0, 1);
    assertRefusedBoth("NOT_ATTESTED", b, b.envelope(oldId, null));
    CaesarTransaction.Redeem newId = a.claim(lock, account(BOB), 50, a.set, keys0, 0, 1);
    assertEquals("", b.commit(b.envelope(newId, null)).get(0).failure());
    assertEquals(50, b.balance(BOB));
  }
}
