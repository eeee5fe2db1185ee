package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import org.junit.jupiter.api.Test;

/**
 * The bridge in the committed state of two chains (same validator keys, different chain ids, so
 * every signature is chain-bound): registration by the bridge admin only, a lock on A redeemed on
 * B once with a proof built from A's committed block and certificate and f + 1 execution
 * attestations, a committed-but-refused lock that a relayer cannot redeem without them, a burn on
 * B released on A, balances and conservation exact, and both chains' states reproduced by
 * re-applying their blocks.
 */
class BridgeChainTest {

  private static final Digest CHAIN_A = Digest.sha256("bridge A".getBytes(StandardCharsets.UTF_8));
  private static final Digest CHAIN_B = Digest.sha256("bridge B".getBytes(StandardCharsets.UTF_8));
  /** No demurrage: every balance is exact. */
  private static final CaesarParameters TOKEN = new CaesarParameters(0, 0, 3, 1_000, 500);
  private static final Identity ALICE = user("alice");
  private static final Identity BOB = user("bob");
  private static final long START = 1_000_000L;

  /** One chain driven block by block, each committed by a certificate on its child. */
  private static final class Driver {
    final ChainFixture f;
    final ChainState state;
    final List<Block> blocks = new ArrayList<>();
    final List<CommitCertificate> certificates = new ArrayList<>();
    final List<QuorumCert> parents = new ArrayList<>();
    final List<BlockTime> parentTimes = new ArrayList<>();
    private QuorumCert parent;
    private BlockTime parentTime;
    private long envelopeNonce = 5_000_000;

    Driver(Digest chainId) {
      f = new ChainFixture(chainId);
      state = ChainState.genesis(caesarGenesis(f.genesis));
      parent = f.set.genesisQc();
      parentTime = f.set.timing().genesis();
    }

    Transaction envelope(CaesarTransaction op, Identity owner) {
      byte[] payload = owner == null ? CaesarCodec.encode(op) : CaesarCodec.encode(op,
          OwnerAuthorization.sign(f.chainId, op, owner.privateKey(), owner.chain()));
      var ref = state.head();
      return f.prover.prove(CaesarCodec.kindOf(op), payload, envelopeNonce++,
          ref.timestampMillis() + 500, null, ref);
    }

    Optional<String> precheck(Transaction tx) {
      return state.caesar().orElseThrow().precheck(tx, f.certificates(), null);
    }

    /** Commits a block holding {@code txs}; returns what the state applied. */
    List<AppliedTransaction> commit(Transaction... txs) {
      parents.add(parent);
      parentTimes.add(parentTime);
      Block block = f.block(parent, parentTime, List.of(txs));
      Block child = f.block(f.qc(block), block.time(), List.of());
      CommitCertificate cert = new CommitCertificate(f.qc(child));
      List<AppliedTransaction> applied = state.apply(block, cert);
      blocks.add(block);
      certificates.add(cert);
      parent = f.qc(block);
      parentTime = block.time();
      return applied;
    }

    String failure(AppliedTransaction a) {
      return a.failure();
    }

    long balance(Identity who) {
      CaesarState c = state.caesar().orElseThrow();
      return c.account(account(who), c.clock().millis()).map(AccountView::balance).orElse(0L);
    }

    long nonce(Identity who) {
      CaesarState c = state.caesar().orElseThrow();
      return c.account(account(who), c.clock().millis()).map(AccountView::nonce).orElse(0L);
    }

    /** The relayer's proof for the last committed block's transaction {@code index}. */
    CaesarTransaction.Redeem claim(int index, Digest recipient, long amount, int... attesters) {
      Block block = blocks.get(blocks.size() - 1);
      InclusionProof proof = InclusionProof.of(block, certificates.get(certificates.size() - 1),
          index);
      List<ExecutionAttestation> attestations = new ArrayList<>();
      for (int i : attesters) {
        attestations.add(ExecutionAttestation.sign(
            new FalconSigner(ChainFixture.VALIDATORS.get(i).privateKey()), i, f.chainId,
            proof.transaction().id(), block.height()));
      }
      return new CaesarTransaction.Redeem(f.chainId, recipient, amount, proof, attestations);
    }

    /**
     * A second block at the height of committed block {@code i}, certified by the same validators
     * (a Byzantine supermajority), and a claim of its transaction 0.
     */
    CaesarTransaction.Redeem forkClaim(int i, Transaction tx, Digest recipient, long amount) {
      Block fork = f.block(parents.get(i), parentTimes.get(i), List.of(tx));
      Block child = f.block(f.qc(fork), fork.time(), List.of());
      InclusionProof proof = InclusionProof.of(fork, new CommitCertificate(f.qc(child)), 0);
      return new CaesarTransaction.Redeem(f.chainId, recipient, amount, proof, List.of());
    }

    void assertConserved() {
      assertTrue(state.caesar().orElseThrow().supply(0).holds(),
          () -> state.caesar().orElseThrow().supply(0).toString());
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

  private static CaesarTransaction.Register register(long nonce, Driver remote) {
    return new CaesarTransaction.Register(nonce, remote.f.chainId, 0,
        remote.f.genesis.publicKeys());
  }

  private static void assertFailed(String expected, AppliedTransaction a) {
    assertTrue(a.failure().startsWith(expected + ": "), expected + " expected: " + a.failure());
  }

  private static void assertRefused(String expected, Optional<String> reason) {
    assertTrue(reason.isPresent() && reason.get().startsWith(expected + ": "),
        expected + " expected: " + reason);
  }

  @Test
  void aRoundTripThroughTheBridgeRestoresBalancesAndConserves() {
    Driver a = new Driver(CHAIN_A);
    Driver b = new Driver(CHAIN_B);

    // Set-up: only the bridge admin registers, once.
    Transaction stranger = a.envelope(register(0, b), BOB);
    assertRefused("NOT_BRIDGE_ADMIN", a.precheck(stranger));
    assertFailed("NOT_BRIDGE_ADMIN", a.commit(stranger).get(0));
    Transaction lockEarly = a.envelope(new CaesarTransaction.Lock(0, CHAIN_B, account(BOB), 10),
        ALICE);
    assertRefused("NO_BRIDGE", a.precheck(lockEarly));
    Transaction regA = a.envelope(register(0, b), ALICE);
    assertEquals(Optional.empty(), a.precheck(regA));
    assertEquals("", a.commit(regA).get(0).failure());
    assertRefused("BRIDGE_EXISTS", a.precheck(a.envelope(register(1, b), ALICE)));
    assertEquals("", b.commit(b.envelope(register(0, a), ALICE)).get(0).failure());
    assertEquals(1, a.state.caesar().orElseThrow().bridges().size());
    assertEquals(4, b.state.caesar().orElseThrow().bridges().get(0).validators());

    // Lock on A.
    long lockAmount = 250_000;
    AppliedTransaction lock = a.commit(a.envelope(
        new CaesarTransaction.Lock(1, CHAIN_B, account(BOB), lockAmount), ALICE)).get(0);
    assertEquals("", lock.failure());
    int lockIndex = a.blocks.size() - 1;
    assertEquals(START - lockAmount, a.balance(ALICE));
    a.assertConserved();

    // f = 1 of 4: one attestation is not enough; two are.
    CaesarTransaction.Redeem one = a.claim(0, account(BOB), lockAmount, 2);
    assertRefused("NOT_ATTESTED", b.precheck(b.envelope(one, null)));
    CaesarTransaction.Redeem redirected = a.claim(0, account(ALICE), lockAmount, 0, 1);
    assertRefused("MISMATCHED_LOCK", b.precheck(b.envelope(redirected, null)));
    CaesarTransaction.Redeem honest = a.claim(0, account(BOB), lockAmount, 0, 1);
    Transaction redeem = b.envelope(honest, null);
    assertEquals(Optional.empty(), b.precheck(redeem));
    assertEquals("", b.commit(redeem).get(0).failure());
    assertEquals(lockAmount, b.balance(BOB));
    b.assertConserved();
    assertRefused("REPLAYED_LOCK", b.precheck(b.envelope(honest, null)));
    assertFailed("REPLAYED_LOCK", b.commit(b.envelope(honest, null)).get(0));
    assertEquals(lockAmount, b.balance(BOB), "minted once");

    // A lock A's ledger refused is still a committed transaction with a valid inclusion proof;
    // honest validators do not attest it, so a relayer cannot mint it on B.
    AppliedTransaction overdraft = a.commit(a.envelope(
        new CaesarTransaction.Lock(2, CHAIN_B, account(BOB), 10 * START), ALICE)).get(0);
    assertFailed("INSUFFICIENT_FUNDS", overdraft);
    CaesarTransaction.Redeem unapplied = a.claim(0, account(BOB), 10 * START, 3);
    assertFailed("NOT_ATTESTED", b.commit(b.envelope(unapplied, null)).get(0));
    assertEquals(lockAmount, b.balance(BOB));

    // Back: burn on B, release on A.
    AppliedTransaction burn = b.commit(b.envelope(
        new CaesarTransaction.Burn(0, CHAIN_A, account(ALICE), lockAmount), BOB)).get(0);
    assertEquals("", burn.failure());
    assertEquals(0, b.balance(BOB));
    CaesarTransaction.Redeem release = b.claim(0, account(ALICE), lockAmount, 1, 3);
    assertEquals("", a.commit(a.envelope(release, null)).get(0).failure());
    assertEquals(START, a.balance(ALICE), "the round trip restores the balance (no demurrage)");
    a.assertConserved();
    b.assertConserved();
    var bridgeA = a.state.caesar().orElseThrow().bridges().get(0);
    assertEquals(0, bridgeA.locked());
    assertEquals(1, bridgeA.redeemed());
    assertEquals(0, b.state.caesar().orElseThrow().bridges().get(0).minted());

    // A conflicting certificate for a height B has seen certified is evidence, not a refusal
    // before ordering: committed, it freezes B's bridge to A for good.
    CaesarTransaction.Redeem evidence = a.forkClaim(lockIndex,
        a.envelope(new CaesarTransaction.Lock(3, CHAIN_B, account(BOB), 1), ALICE),
        account(BOB), 1);
    Transaction evidenceTx = b.envelope(evidence, null);
    assertEquals(Optional.empty(), b.precheck(evidenceTx));
    assertFailed("CONFLICTING_BLOCKS", b.commit(evidenceTx).get(0));
    assertTrue(b.state.caesar().orElseThrow().bridges().get(0).frozen().startsWith(
        "two blocks certified at height"), b.state.caesar().orElseThrow().bridges().toString());
    assertRefused("BRIDGE_FROZEN", b.precheck(b.envelope(
        new CaesarTransaction.Lock(1, CHAIN_A, account(ALICE), 1), BOB)));
    assertRefused("BRIDGE_FROZEN", b.precheck(b.envelope(honest, null)));
    b.assertConserved();

    // Every node applying the same blocks reaches the same state, bridges included.
    for (Driver d : List.of(a, b)) {
      ChainState replay = ChainState.genesis(d.state.genesisConfig());
      for (int i = 0; i < d.blocks.size(); i++) {
        replay.apply(d.blocks.get(i), d.certificates.get(i));
      }
      assertEquals(d.state.stateDigest(), replay.stateDigest());
    }
  }

  @Test
  void aJobResultPaysItsProviderOncePerJob() {
    Driver a = new Driver(CHAIN_A);
    var ref = a.state.head();
    Transaction job = a.f.prover.prove(
        online.hypermesh.protocol.consensus.proof.TransactionKind.JOB_RESULT,
        new byte[] {1}, 1, ref.timestampMillis() + 500,
        new online.hypermesh.protocol.consensus.proof.JobClaim(new byte[] {7},
            new byte[32]), ref);
    long poolBefore = a.state.caesar().orElseThrow().rewardPool();
    a.commit(job);
    Digest provider = Digest.of(ChainFixture.SENDER_ACCOUNT);
    CaesarState c = a.state.caesar().orElseThrow();
    assertTrue(c.history(provider).stream().anyMatch(e -> e.memo().equals("job reward")
        && e.amount() == TOKEN.jobReward()), c.history(provider).toString());
    var again = a.f.prover.prove(
        online.hypermesh.protocol.consensus.proof.TransactionKind.JOB_RESULT,
        new byte[] {2}, 2, ref.timestampMillis() + 600,
        new online.hypermesh.protocol.consensus.proof.JobClaim(new byte[] {7},
            new byte[32]), ref);
    a.commit(again);
    assertEquals(1, c.history(provider).stream().filter(e -> e.memo().equals("job reward"))
        .count(), "the same job is paid once");
    assertTrue(c.rewardPool() < poolBefore);
    a.assertConserved();
  }
}
