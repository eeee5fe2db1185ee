package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.Transaction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two chains' ledgers and a relayer, with real FALCON-1024 certificates from 4-validator sets. */
class BridgeTest {

  private static List<KeyPair> setA;
  private static List<KeyPair> nextSetA;
  private static List<KeyPair> setB;
  private static List<KeyPair> strangers;

  private static final Digest ALICE = LedgerTest.id("alice");
  private static final Digest BOB = LedgerTest.id("bob");
  private static final Digest MALLORY = LedgerTest.id("mallory");
  private static final BlockTime AT = new BlockTime(1, 1_000);

  @BeforeAll
  static void keys() {
    setA = BridgeFixture.keys(4);
    nextSetA = BridgeFixture.keys(4);
    setB = BridgeFixture.keys(4);
    strangers = BridgeFixture.keys(4);
  }

  private BridgeFixture chainA;
  private BridgeFixture chainB;
  private Ledger ledgerA;
  private Ledger ledgerB;
  /** On B, redeeming what was locked on A. */
  private BridgeEscrow escrowB;

  private void setUp(long ratePpb) {
    chainA = new BridgeFixture("chain A", setA);
    chainB = new BridgeFixture("chain B", setB);
    CaesarParameters p = new CaesarParameters(ratePpb, 0, 10, 0, 0);
    ledgerA = new Ledger(p, new Genesis(Map.of(ALICE, 1_000_000L), Map.of(), 0, new BlockTime(0, 0)));
    ledgerB = new Ledger(p, new Genesis(Map.of(MALLORY, 5L), Map.of(), 0, new BlockTime(0, 0)));
    escrowB = new BridgeEscrow(chainB.chainId, client(chainA), ledgerB);
  }

  private static BridgeLightClient client(BridgeFixture remote) {
    return new BridgeLightClient(remote.set(), 1, new FalconVerifier(), new EnvelopeReader());
  }

  /** Alice locks on A for Bob on B; the lock is committed at index 1 of a 3-transaction block. */
  private BridgeFixture.Committed lockOnA(long amount, long nonce, Digest destination) {
    CaesarTransaction.Lock lock = new CaesarTransaction.Lock(nonce, destination, BOB, amount);
    assertEquals(new Outcome.Applied(amount), ledgerA.apply(ALICE, lock, AT));
    return chainA.commit(List.of(chainA.caesar(new CaesarTransaction.Bond(9, 1)),
        chainA.caesar(lock), chainA.caesar(new CaesarTransaction.Transfer(3, BOB, 2, "x"))));
  }

  /** What rides on chain B: the redemption through its payload codec. */
  private static CaesarTransaction.Redeem relayed(
      Digest source, Digest recipient, long amount, InclusionProof p) {
    byte[] payload =
        CaesarCodec.encode(BridgeFixture.attested(
            new CaesarTransaction.Redeem(source, recipient, amount, p)));
    return (CaesarTransaction.Redeem) ((CaesarCodec.Valid) CaesarCodec.decode(payload))
        .transaction();
  }

  /**
   * Redeems, after checking that the read-only {@link BridgeEscrow#check} predicts the outcome
   * (the same refusal, reason and detail, or none) and changes nothing: not the state digest, not
   * the freeze.
   */
  static Outcome redeem(BridgeEscrow escrow, CaesarTransaction.Redeem unattested, BlockTime at) {
    CaesarTransaction.Redeem claim = BridgeFixture.attested(unattested);
    Digest before = escrow.stateDigest();
    boolean frozen = escrow.lightClient().frozen();
    Optional<Outcome.Rejected> predicted = escrow.check(claim);
    assertEquals(before, escrow.stateDigest(), "check() changed the escrow");
    assertEquals(frozen, escrow.lightClient().frozen(), "check() changed the freeze");
    Outcome o = escrow.redeem(claim, at);
    assertEquals(o.applied() ? Optional.empty() : Optional.of(o), predicted);
    if (o.applied()) {
      assertFalse(before.equals(escrow.stateDigest()), "a redemption changes the state digest");
    }
    return o;
  }

  private static void assertRefused(Rejection reason, Outcome o) {
    LedgerTest.assertRejected(reason, o);
  }

  @Test
  void aValidLockMintsOnceAndAReplayIsRefused() {
    setUp(50_000_000L);
    BridgeFixture.Committed c = lockOnA(40_000, 0, chainB.chainId);
    Outcome first = redeem(escrowB, relayed(chainA.chainId, BOB, 40_000, c.proof(1)), new BlockTime(1, 2_000));
    assertEquals(new Outcome.Applied(40_000), first);
    assertEquals(40_000, ledgerB.balance(BOB, 2_000));
    assertEquals(40_000, ledgerB.bridgedIn(chainA.chainId));
    assertEquals(40_000, ledgerA.bridgedOut(chainB.chainId));
    assertTrue(ledgerA.conservation().holds() && ledgerB.conservation().holds());
    assertTrue(escrowB.redeemed(RemoteTransfer.lockId(chainA.chainId,
        c.block().transactions().get(1).id())));
    List<Object> before = LedgerTest.snapshot(ledgerB);
    Outcome again = redeem(escrowB, relayed(chainA.chainId, BOB, 40_000, c.proof(1)), new BlockTime(2, 3_000));
    assertRefused(Rejection.REPLAYED_LOCK, again);
    assertEquals(before, LedgerTest.snapshot(ledgerB));
    // Not a lock at all: the bond next to it in the same block.
    assertRefused(Rejection.NOT_A_BRIDGE_TRANSFER,
        redeem(escrowB, relayed(chainA.chainId, BOB, 1, c.proof(0)), new BlockTime(2, 3_000)));
  }

  @Test
  void aForgedCertificateIsRefused() {
    setUp(0);
    BridgeFixture.Committed c = lockOnA(1_000, 0, chainB.chainId);
    Block child = chainA.append(List.of());
    CommitCertificate byStrangers = new CommitCertificate(chainA.qc(child, strangers));
    InclusionProof forged = new InclusionProof(List.of(c.block().header()), byStrangers,
        c.block().transactions().get(1), 1, c.proof(1).path());
    Outcome o = redeem(escrowB, relayed(chainA.chainId, BOB, 1_000, forged), AT);
    assertRefused(Rejection.NOT_CERTIFIED, o);
    // Certifying the lock's own block, but signed by strangers.
    CommitCertificate strangersOnBlock =
        new CommitCertificate(chainA.qc(c.certificate().qc().data(), strangers));
    Outcome o2 = redeem(escrowB, relayed(chainA.chainId, BOB, 1_000, new InclusionProof(List.of(c.block().header()),
        strangersOnBlock, c.block().transactions().get(1), 1, c.proof(1).path())), AT);
    assertRefused(Rejection.FORGED_CERTIFICATE, o2);
    assertTrue(o2.toString().contains("bad signature from validator 0"), o2.toString());
    assertTrue(strangersOnBlock.verify(
        new online.hypermesh.protocol.consensus.bft.ValidatorSet(chainA.chainId,
            BridgeFixture.publicKeys(strangers), BridgeFixture.TIMING), new FalconVerifier())
        .accepted());
    // One honest signature replaced by another validator's signature.
    TreeMap<Integer, byte[]> sigs = new TreeMap<>(c.certificate().qc().signatures());
    sigs.put(0, sigs.get(1));
    CommitCertificate swapped =
        new CommitCertificate(new QuorumCert(c.certificate().qc().data(), sigs));
    assertRefused(Rejection.FORGED_CERTIFICATE, redeem(escrowB, relayed(chainA.chainId, BOB, 1_000,
        new InclusionProof(List.of(c.block().header()), swapped, c.block().transactions().get(1), 1,
            c.proof(1).path())), AT));
    assertEquals(0, ledgerB.balance(BOB, 1_000));
    // The honest proof still redeems: refusals consumed nothing.
    assertEquals(new Outcome.Applied(1_000), redeem(escrowB, relayed(chainA.chainId, BOB, 1_000, c.proof(1)), AT));
  }

  @Test
  void aRelayerCannotRedirectOrResizeTheLock() {
    setUp(0);
    BridgeFixture.Committed c = lockOnA(7_000, 0, chainB.chainId);
    assertRefused(Rejection.MISMATCHED_LOCK,
        redeem(escrowB, relayed(chainA.chainId, MALLORY, 7_000, c.proof(1)), AT));
    assertRefused(Rejection.MISMATCHED_LOCK,
        redeem(escrowB, relayed(chainA.chainId, BOB, 7_001, c.proof(1)), AT));
    // Rewriting the lock itself: same id, body paying Mallory. The path no longer leads to the root.
    Transaction honest = c.block().transactions().get(1);
    Transaction rewritten = new Transaction(honest.id(),
        chainA.caesar(new CaesarTransaction.Lock(0, chainB.chainId, MALLORY, 7_000)).body());
    InclusionProof altered =
        new InclusionProof(List.of(c.block().header()), c.certificate(), rewritten, 1, c.proof(1).path());
    assertRefused(Rejection.BAD_INCLUSION_PROOF,
        redeem(escrowB, relayed(chainA.chainId, MALLORY, 7_000, altered), AT));
    // Rewriting the block instead: the certificate no longer certifies it.
    Block rebuilt = new Block(c.block().round(), c.block().height(), c.block().proposer(),
        c.block().qc(), c.block().time(), List.of(c.block().transactions().get(0), rewritten,
        c.block().transactions().get(2)));
    assertRefused(Rejection.NOT_CERTIFIED, redeem(escrowB, relayed(chainA.chainId, MALLORY, 7_000,
        InclusionProof.of(rebuilt, c.certificate(), 1)), AT));
    // The right index with another transaction's path.
    assertRefused(Rejection.BAD_INCLUSION_PROOF, redeem(escrowB, relayed(chainA.chainId, BOB, 7_000,
        new InclusionProof(List.of(c.block().header()), c.certificate(), honest, 1, c.proof(0).path())), AT));
    assertEquals(0, ledgerB.balance(MALLORY, 1_000) - 5);
    assertEquals(new Outcome.Applied(7_000), redeem(escrowB, relayed(chainA.chainId, BOB, 7_000, c.proof(1)), AT));
  }

  @Test
  void aLockForAnotherChainIsRefused() {
    setUp(0);
    BridgeFixture.Committed c = lockOnA(100, 0, LedgerTest.id("chain C"));
    assertRefused(Rejection.WRONG_CHAIN, redeem(escrowB, relayed(chainA.chainId, BOB, 100, c.proof(1)), AT));
  }

  @Test
  void theClientFollowsCertifiedSetChangesAndRefusesAStaleSet() {
    setUp(0);
    BridgeFixture.Committed early = lockOnA(1_000, 0, chainB.chainId);
    BridgeFixture.Committed change =
        chainA.commit(List.of(chainA.validatorSetChange(nextSetA)));
    // A change "certified" by strangers is not followed.
    CommitCertificate strangersCert =
        new CommitCertificate(chainA.qc(change.certificate().qc().data(), strangers));
    assertRefused(Rejection.FORGED_CERTIFICATE, escrowB.followValidatorSet(new InclusionProof(
        List.of(change.block().header()), strangersCert, change.block().transactions().get(0), 0, List.of())));
    // A block without a change is not a change.
    assertRefused(Rejection.NOT_A_VALIDATOR_SET_CHANGE,
        escrowB.followValidatorSet(early.proof(0)));
    assertEquals(new Outcome.Applied(1), escrowB.followValidatorSet(change.proof(0)));
    assertEquals(1, escrowB.lightClient().epoch());
    assertRefused(Rejection.STALE_VALIDATOR_SET, escrowB.followValidatorSet(change.proof(0)));

    // Its validators attest the early lock while they are in force (the relayer keeps the claim).
    CaesarTransaction.Redeem earlyClaim = relayed(chainA.chainId, BOB, 1_000, early.proof(1));
    // The old validators keep signing a fork of their own after they were replaced.
    BridgeFixture oldFork = chainA.fork();
    chainA.enterEpoch(nextSetA, change.block());
    CaesarTransaction.Lock forged = new CaesarTransaction.Lock(1, chainB.chainId, MALLORY, 9_999);
    BridgeFixture.Committed stale = oldFork.commit(List.of(oldFork.caesar(forged)));
    Outcome o = redeem(escrowB, relayed(chainA.chainId, MALLORY, 9_999, stale.proof(0)), AT);
    assertRefused(Rejection.STALE_VALIDATOR_SET, o);
    assertTrue(o.toString().contains("epoch 0"), o.toString());

    // A lock committed before the change, under the old set, still redeems.
    assertEquals(new Outcome.Applied(1_000), redeem(escrowB, earlyClaim, AT));
    // And the new set certifies new locks.
    BridgeFixture.Committed late = lockOnA(2_000, 1, chainB.chainId);
    assertEquals(new Outcome.Applied(2_000),
        redeem(escrowB, relayed(chainA.chainId, BOB, 2_000, late.proof(1)), AT));
    assertEquals(3_000, ledgerB.balance(BOB, 1_000));
  }

  @Test
  void twoCertifiedBlocksAtOneHeightFreezeTheBridge() {
    setUp(0);
    BridgeFixture fork = chainA.fork();
    BridgeFixture.Committed honest = lockOnA(500, 0, chainB.chainId);
    // The same validators (more than a third of them faulty) certify another block there.
    BridgeFixture.Committed other = fork.commit(List.of(fork.caesar(
        new CaesarTransaction.Lock(0, chainB.chainId, MALLORY, 500))));
    assertEquals(honest.block().height(), other.block().height());
    assertEquals(new Outcome.Applied(500), redeem(escrowB, relayed(chainA.chainId, BOB, 500, honest.proof(1)), AT));
    Outcome o = redeem(escrowB, relayed(chainA.chainId, MALLORY, 500, other.proof(0)), AT);
    assertRefused(Rejection.CONFLICTING_BLOCKS, o);
    BridgeLightClient client = escrowB.lightClient();
    assertTrue(client.frozen());
    Misbehaviour evidence = client.misbehaviour().orElseThrow();
    assertEquals(honest.block().height(), evidence.height());
    assertEquals(honest.block().id(), evidence.first().blockId());
    assertEquals(other.block().id(), evidence.second().blockId());
    // Frozen for good: even a valid new lock is refused, and nothing was minted for Mallory.
    BridgeFixture.Committed later = lockOnA(10, 1, chainB.chainId);
    assertRefused(Rejection.BRIDGE_FROZEN, redeem(escrowB, relayed(chainA.chainId, BOB, 10, later.proof(1)), AT));
    assertEquals(5, ledgerB.balance(MALLORY, 1_000));
    assertEquals(500, ledgerB.bridgedIn(chainA.chainId));

    // Evidence alone (two certificates, no lock) freezes a fresh client too.
    BridgeLightClient watcher = client(chainA);
    assertTrue(watcher.observe(honest.certificate()).ok());
    assertFalse(watcher.observe(other.certificate()).ok());
    assertTrue(watcher.frozen());
  }

  @Test
  void heightsOutsideTheTrustedRangeOrEpochAreRefused() {
    setUp(0);
    BridgeFixture.Committed first = lockOnA(10, 0, chainB.chainId);
    BridgeLightClient fromFive =
        new BridgeLightClient(chainA.set(), 5, new FalconVerifier(), new EnvelopeReader());
    assertRefused(Rejection.NOT_CERTIFIED, fromFive.verifyTransfer(first.proof(1)).refusal());
    // After a change at height h, the new set cannot vouch for a block at or below h.
    BridgeFixture.Committed change = chainA.commit(List.of(chainA.validatorSetChange(nextSetA)));
    BridgeLightClient client = client(chainA);
    assertEquals(new Outcome.Applied(1), client.followValidatorSet(change.proof(0)));
    chainA.enterEpoch(nextSetA, change.block());
    CommitCertificate byNewSet =
        new CommitCertificate(chainA.qc(first.certificate().qc().data(), nextSetA));
    // Valid signatures of the new set, refused only because height 1 is in epoch 0.
    assertTrue(byNewSet.qc().verify(client.validatorSet(), new FalconVerifier()).accepted());
    Outcome o = client.verifyTransfer(new InclusionProof(List.of(first.block().header()), byNewSet,
        first.block().transactions().get(1), 1, first.proof(1).path())).refusal();
    assertRefused(Rejection.FORGED_CERTIFICATE, o);
    assertTrue(o.toString().contains("epoch 0"), o.toString());
    assertTrue(client.verifyTransfer(first.proof(1)).ok());
  }

  @Test
  void aRoundTripAtoBtoARestoresTheBalances() {
    setUp(0);
    // On A, redeeming what was burned on B.
    BridgeEscrow escrowA = new BridgeEscrow(chainA.chainId, client(chainB), ledgerA);
    BridgeFixture.Committed lock = lockOnA(250_000, 0, chainB.chainId);
    assertEquals(750_000, ledgerA.balance(ALICE, 1_000));
    assertEquals(new Outcome.Applied(250_000),
        redeem(escrowB, relayed(chainA.chainId, BOB, 250_000, lock.proof(1)), AT));
    CaesarTransaction.Burn burn = new CaesarTransaction.Burn(0, chainA.chainId, ALICE, 250_000);
    assertEquals(new Outcome.Applied(250_000), ledgerB.apply(BOB, burn, AT));
    BridgeFixture.Committed burned = chainB.commit(List.of(chainB.caesar(burn)));
    assertEquals(new Outcome.Applied(250_000),
        redeem(escrowA, relayed(chainB.chainId, ALICE, 250_000, burned.proof(0)), AT));
    assertEquals(1_000_000, ledgerA.balance(ALICE, 1_000));
    assertEquals(0, ledgerB.balance(BOB, 1_000));
    assertEquals(0, ledgerA.bridgedOut(chainB.chainId));
    assertEquals(0, ledgerB.bridgedIn(chainA.chainId));
    assertEquals(ledgerA.conservation().genesis(), ledgerA.conservation().balances());
    assertTrue(ledgerB.conservation().holds());
    assertRefused(Rejection.REPLAYED_LOCK,
        redeem(escrowA, relayed(chainB.chainId, ALICE, 250_000, burned.proof(0)), AT));
  }
}
