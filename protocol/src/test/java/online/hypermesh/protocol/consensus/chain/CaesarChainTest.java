package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import online.hypermesh.protocol.caesar.AccountView;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.caesar.Supply;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import org.junit.jupiter.api.Test;

/**
 * The CAES ledger inside the committed chain state: random blocks of owner-signed operations,
 * proven by the serving node and committed with real FALCON certificates, keep the conservation
 * law at every block, refuse what they must with a recorded reason, pay validators, feed PoStake,
 * and rebuild to the same balances to the unit.
 */
class CaesarChainTest {

  private static final CaesarParameters TOKEN =
      new CaesarParameters(50_000_000, 100, 3, 1_000, 0);
  private static final List<Identity> USERS = List.of(user("alice"), user("bob"), user("carol"),
      user("dave"));
  private static final Identity STRANGER = user("mallory");
  private static final long BIG = 1_000_000_000_000L;

  private final ChainFixture f = new ChainFixture();
  private final Genesis genesis = genesis();
  private long envelopeNonce = 1_000_000;

  private static Identity user(String name) {
    return ChainFixture.CA.issueIdentity(LeafSpec.of(name, CertificateRole.CLIENT,
        List.of(name + ".mesh.test"), List.of(), Duration.ofDays(1)).withValidity(
            ChainFixture.NOW.minus(Duration.ofDays(1)), ChainFixture.NOW.plus(Duration.ofDays(1))));
  }

  static Digest account(Identity id) {
    return Digest.of(Accounts.id(id.leaf().getPublicKey()));
  }

  private static String hex(Identity id) {
    return account(id).hex();
  }

  private static Genesis genesis() {
    Genesis plain = ChainFixture.genesis();
    Map<String, Long> balances = new HashMap<>();
    for (int i = 0; i < USERS.size(); i++) {
      balances.put(hex(USERS.get(i)), BIG >> i);
    }
    String sender = HexFormat.of().formatHex(ChainFixture.SENDER_ACCOUNT);
    return new Genesis(plain.chainId(), plain.validators(), plain.parameters(), Map.of(),
        plain.plots(), plain.regions(), plain.genesisTimeMillis(), plain.tickSeed(),
        plain.ticksPerBlock(),
        new CaesarGenesis(TOKEN, balances, Map.of(sender, 5_000L), 10_000_000L));
  }

  /** The serving node's envelope around an owner-authorized operation. */
  private Transaction envelope(CaesarTransaction op, OwnerAuthorization owner, BlockTick ref) {
    return envelope(CaesarCodec.kindOf(op), CaesarCodec.encode(op, owner), ref);
  }

  private Transaction envelope(TransactionKind kind, byte[] payload, BlockTick ref) {
    return f.prover.prove(kind, payload, envelopeNonce++, ref.timestampMillis() + 500, null, ref);
  }

  private static OwnerAuthorization sign(Identity owner, CaesarTransaction op) {
    return OwnerAuthorization.sign(ChainFixture.CHAIN_ID, op, owner.privateKey(), owner.chain());
  }

  private static long nonce(ChainState state, Identity owner) {
    CaesarState c = state.caesar().orElseThrow();
    return c.account(account(owner), c.clock().millis()).map(AccountView::nonce).orElse(0L);
  }

  private static long balance(ChainState state, Identity owner) {
    CaesarState c = state.caesar().orElseThrow();
    return c.account(account(owner), c.clock().millis()).map(AccountView::balance).orElse(0L);
  }

  /** One random operation on the current state: mostly valid, some certain to fail. */
  private Transaction randomOperation(ChainState state, Random rnd, Map<Identity, Long> used) {
    Identity owner = USERS.get(rnd.nextInt(USERS.size()));
    long next = used.merge(owner, 1L, Long::sum) - 1 + nonce(state, owner);
    long balance = balance(state, owner);
    int r = rnd.nextInt(100);
    // Over the balance now and then: an overdraft.
    long amount = 1 + (long) (rnd.nextDouble() * (rnd.nextInt(10) == 0 ? 2 * balance + 10
        : Math.max(1, balance / 20)));
    long nonce = rnd.nextInt(25) == 0 ? Math.max(0, next - 1 - rnd.nextInt(3)) : next;
    CaesarTransaction op;
    if (r < 60) {
      Identity to = USERS.get(rnd.nextInt(USERS.size()));
      op = new CaesarTransaction.Transfer(nonce, account(to), amount, r < 5 ? "loyer ☕" : "");
    } else if (r < 75) {
      op = new CaesarTransaction.Bond(nonce, amount);
    } else if (r < 88) {
      CaesarState c = state.caesar().orElseThrow();
      long bonded = c.account(account(owner), c.clock().millis()).map(AccountView::bonded)
          .orElse(0L);
      op = new CaesarTransaction.Unbond(nonce, 1 + (long) (rnd.nextDouble() * (bonded + 5)));
    } else if (r < 93) {
      // Signed by someone else for the owner's account: the signature does not verify.
      op = new CaesarTransaction.Transfer(nonce, account(STRANGER), amount, "");
      byte[] forged = Falcon.sign(STRANGER.privateKey(),
          OwnerAuthorization.signedBytes(ChainFixture.CHAIN_ID, op));
      OwnerAuthorization auth = sign(owner, op);
      return envelope(op, new OwnerAuthorization(auth.chain(), forged), state.head());
    } else if (r < 96) {
      // Authorized for another chain.
      op = new CaesarTransaction.Transfer(nonce, account(STRANGER), amount, "");
      OwnerAuthorization other = OwnerAuthorization.sign(Digest.sha256(new byte[] {9}), op,
          owner.privateKey(), owner.chain());
      return envelope(op, other, state.head());
    } else {
      // A bond payload under the transfer kind.
      op = new CaesarTransaction.Bond(nonce, amount);
      return envelope(TransactionKind.TOKEN_TRANSFER, CaesarCodec.encode(op, sign(owner, op)),
          state.head());
    }
    return envelope(op, sign(owner, op), state.head());
  }

  private static void assertConserved(ChainState state) {
    CaesarState c = state.caesar().orElseThrow();
    Supply s = c.supply(c.clock().millis());
    assertTrue(s.holds(), "at height " + state.height() + ": " + s);
    assertEquals(BigInteger.valueOf(genesis().caesar().supply()),
        BigInteger.valueOf(s.balances()).add(BigInteger.valueOf(s.rewardPool()))
            .add(BigInteger.valueOf(s.bonded())).add(BigInteger.valueOf(s.unbonding())));
  }

  private static final TransactionValidator.BlockContext CONTEXT =
      new TransactionValidator.BlockContext(1, 1, Digest.ZERO, 1);

  record Committed(Block block, CommitCertificate certificate) {}

  @Test
  void randomBlocksConserveTheSupplyAndRebuildToTheSameBalances() {
    Random rnd = new Random(42);
    ChainState state = ChainState.genesis(genesis);
    List<Committed> chain = new ArrayList<>();
    Map<String, Integer> failures = new TreeMap<>();
    int applied = 0;
    int refusedAtValidation = 0;
    long poolBefore = state.caesar().orElseThrow().rewardPool();
    assertConserved(state);
    // Blocks alternate: one with operations chosen from the committed state, then an empty one
    // whose QC commits it (so every choice sees the state its block will be applied to).
    Block pending = null;
    for (int i = 0; i < 40; i++) {
      List<Transaction> txs = new ArrayList<>();
      if (i % 2 == 0) {
        Map<Identity, Long> used = new HashMap<>();
        TransactionValidator validator = validatorAt(state);
        int n = 1 + rnd.nextInt(6);
        for (int k = 0; k < n; k++) {
          Transaction tx = randomOperation(state, rnd, used);
          Verdict v = validator.validate(ChainFixture.wire(tx), CONTEXT);
          if (v.rejected()) {
            refusedAtValidation++;
            assertTrue(v.reason().startsWith("PAYLOAD: CAES "), v.reason());
          }
          // Committed anyway (as if a faulty leader included it): the chain records the failure.
          txs.add(tx);
        }
      }
      Block b = pending == null
          ? f.block(f.set.genesisQc(), f.set.timing().genesis(), txs)
          : f.block(f.qc(pending, signers(rnd)), pending.time(), txs);
      if (pending != null) {
        // The 2-chain: a QC on the child commits the parent.
        CommitCertificate cert = new CommitCertificate(f.qc(b, signers(rnd)));
        List<AppliedTransaction> done = state.apply(pending, cert);
        chain.add(new Committed(pending, cert));
        for (AppliedTransaction a : done) {
          if (a.failure().isEmpty()) {
            applied++;
          } else {
            failures.merge(a.failure().substring(0, a.failure().indexOf(':')), 1, Integer::sum);
            assertEquals(a.failure(), state.caesar().orElseThrow().failure(a.id()).orElseThrow());
          }
        }
        assertConserved(state);
        // PoStake reads the ledger's bonded stake.
        for (Identity u : USERS) {
          CaesarState c = state.caesar().orElseThrow();
          long bonded = c.account(account(u), 0).map(AccountView::bonded).orElse(0L);
          assertEquals(bonded, state.view().stakes().bondedStake(account(u).bytes()));
          assertEquals(bonded, state.stakeOf(hex(u)));
        }
      }
      pending = b;
    }
    assertEquals(39, state.height());
    assertTrue(applied > 20, "applied " + applied + ", failures " + failures);
    for (String reason : List.of("BAD_AUTHORIZATION", "INSUFFICIENT_FUNDS", "BAD_NONCE",
        "MALFORMED")) {
      assertTrue(failures.containsKey(reason), reason + " not seen in " + failures);
    }
    assertTrue(refusedAtValidation >= failures.get("BAD_AUTHORIZATION")
        + failures.get("MALFORMED"), "the validator names " + refusedAtValidation);
    // Validators were paid from the pool, which demurrage also fed.
    CaesarState c = state.caesar().orElseThrow();
    long validatorsPaid = 0;
    for (var v : ChainFixture.VALIDATORS) {
      validatorsPaid += c.account(account(v), c.clock().millis()).map(AccountView::balance)
          .orElse(0L);
    }
    assertTrue(validatorsPaid > 30 * TOKEN.blockReward() / 2, "paid " + validatorsPaid);
    assertTrue(c.rewardPool() != poolBefore);

    // Rebuilding from the same blocks gives the same ledger, to the unit.
    ChainState rebuilt = ChainState.genesis(genesis());
    for (Committed k : chain) {
      rebuilt.apply(k.block(), k.certificate());
    }
    assertEquals(state.stateDigest(), rebuilt.stateDigest());
    CaesarState r = rebuilt.caesar().orElseThrow();
    List<Identity> everyone = new ArrayList<>(USERS);
    everyone.addAll(ChainFixture.VALIDATORS);
    everyone.add(STRANGER);
    for (Identity u : everyone) {
      assertEquals(c.account(account(u), c.clock().millis() + 86_400_000L),
          r.account(account(u), c.clock().millis() + 86_400_000L));
    }
    assertEquals(c.supply(c.clock().millis()), r.supply(c.clock().millis()));
    assertEquals(c.failures(), r.failures());
    assertFalse(state.stateDigest().equals(ChainState.genesis(genesis()).stateDigest()));
  }

  /** A validator whose clock reads just after the committed head (blocks run ahead of NOW). */
  private TransactionValidator validatorAt(ChainState state) {
    return new NKryptTransactionValidator(state, f.certificates(), null, Clock.fixed(
        Instant.ofEpochMilli(state.head().timestampMillis() + 1_000), ZoneOffset.UTC));
  }

  private static int[] signers(Random rnd) {
    int skip = rnd.nextInt(4);
    int[] out = new int[3];
    int k = 0;
    for (int i = 0; i < 4; i++) {
      if (i != skip) {
        out[k++] = i;
      }
    }
    return out;
  }

  @Test
  void aTransferMovesTheOwnersFundsAndTheValidatorNamesWhatCannotApply() {
    ChainState state = ChainState.genesis(genesis);
    BlockTick head = state.head();
    Identity alice = USERS.get(0);
    Identity bob = USERS.get(1);
    CaesarTransaction.Transfer pay = new CaesarTransaction.Transfer(0, account(bob), 1_000, "rent");
    Transaction ok = envelope(pay, sign(alice, pay), head);
    TransactionValidator validator = f.validator(state);
    Verdict accepted = validator.validate(ChainFixture.wire(ok), CONTEXT);
    assertFalse(accepted.rejected(), accepted.reason());

    // The owner's certificate revoked: refused before ordering (the chain does not know).
    TransactionValidator revoking = new NKryptTransactionValidator(state,
        new CertificateVerifier(ChainFixture.CA.certificate(),
            Set.of(alice.leaf().getSerialNumber()), f.clock), null, f.clock);
    Verdict revoked = revoking.validate(ChainFixture.wire(ok), CONTEXT);
    assertTrue(revoked.rejected());
    assertTrue(revoked.reason().startsWith("PAYLOAD: CAES BAD_AUTHORIZATION: owner certificate "
        + "refused (REVOKED)"), revoked.reason());

    // No bridge is registered: a lock would strand the units, so it is refused by name.
    CaesarTransaction.Lock lock = new CaesarTransaction.Lock(0, Digest.sha256(new byte[] {5}),
        account(bob), 10);
    Verdict noBridge = validator.validate(ChainFixture.wire(envelope(lock, sign(alice, lock),
        head)), CONTEXT);
    assertTrue(noBridge.reason().startsWith("PAYLOAD: CAES NO_BRIDGE: "), noBridge.reason());

    // Garbage instead of a payload.
    Verdict garbage = validator.validate(ChainFixture.wire(envelope(TransactionKind.STAKE_BOND,
        "not caesar".getBytes(StandardCharsets.UTF_8), head)), CONTEXT);
    assertTrue(garbage.reason().startsWith("PAYLOAD: CAES MALFORMED: the STAKE_BOND payload"),
        garbage.reason());

    Block b1 = f.block(f.set.genesisQc(), f.set.timing().genesis(), List.of(ok));
    Block b2 = f.child(b1, List.of());
    CaesarState c = state.caesar().orElseThrow();
    long at = b1.time().timestampMillis();
    long alicePre = c.account(account(alice), at).orElseThrow().balance();
    long bobPre = c.account(account(bob), at).orElseThrow().balance();
    assertTrue(bobPre < BIG >> 1, "demurrage over the block's 500 ms");
    List<AppliedTransaction> done = state.apply(b1, new CommitCertificate(f.qc(b2)));
    assertEquals("", done.get(0).failure());
    assertEquals(alicePre - 1_000, c.account(account(alice), at).orElseThrow().balance());
    assertEquals(bobPre + 1_000, c.account(account(bob), at).orElseThrow().balance());
    assertEquals(1, nonce(state, alice));

    // Replaying the same authorization in a new envelope: the nonce is used.
    Transaction again = envelope(pay, sign(alice, pay), state.head());
    Verdict used = validator.validate(ChainFixture.wire(again), CONTEXT);
    assertTrue(used.reason().startsWith("PAYLOAD: CAES BAD_NONCE: "), used.reason());
    Block b3 = f.child(b2, List.of(again));
    state.apply(b2, new CommitCertificate(f.qc(b3)));
    List<AppliedTransaction> replayed = state.apply(b3, new CommitCertificate(
        f.qc(f.child(b3, List.of()))));
    assertTrue(replayed.get(0).failure().startsWith("BAD_NONCE: "), replayed.get(0).failure());
    assertEquals(1, nonce(state, alice));
    assertConserved(state);

    // An overdraft is committed and changes no balance, but spends its nonce: once the owner is
    // funded, the same signed operation (public in the chain) cannot apply.
    Identity dave = USERS.get(3);
    long daveHas = balance(state, dave);
    CaesarTransaction.Transfer tooMuch =
        new CaesarTransaction.Transfer(0, account(alice), daveHas + BIG / 4, "");
    OwnerAuthorization daveSigned = sign(dave, tooMuch);
    Block b4 = f.child(b3, List.of(envelope(tooMuch, daveSigned, state.head())));
    Block b5 = f.child(b4, List.of());
    state.apply(b4, new CommitCertificate(f.qc(b5)));
    assertTrue(state.caesar().orElseThrow().failures().values().stream()
        .anyMatch(r -> r.startsWith("INSUFFICIENT_FUNDS: ")));
    assertEquals(1, nonce(state, dave));
    CaesarTransaction.Transfer fund = new CaesarTransaction.Transfer(1, account(dave), BIG / 2,
        "");
    Block b6 = f.child(b5, List.of(envelope(fund, sign(alice, fund), state.head())));
    state.apply(b5, new CommitCertificate(f.qc(b6)));
    Block b7 = f.child(b6, List.of(envelope(tooMuch, daveSigned, state.head())));
    state.apply(b6, new CommitCertificate(f.qc(b7)));
    assertTrue(balance(state, dave) > daveHas + BIG / 4, "dave was funded");
    // Committed anyway, the lock is refused and moves nothing (its nonce is spent).
    CaesarTransaction.Lock daveLock = new CaesarTransaction.Lock(1, Digest.sha256(new byte[] {5}),
        account(bob), 10);
    Block b8 = f.child(b7, List.of(envelope(daveLock, sign(dave, daveLock), state.head())));
    List<AppliedTransaction> revived = state.apply(b7, new CommitCertificate(f.qc(b8)));
    assertTrue(revived.get(0).failure().startsWith("BAD_NONCE: "), revived.get(0).failure());
    List<AppliedTransaction> locked = state.apply(b8, new CommitCertificate(
        f.qc(f.child(b8, List.of()))));
    assertTrue(locked.get(0).failure().startsWith("NO_BRIDGE: "), locked.get(0).failure());
    assertEquals(2, nonce(state, dave));
    assertEquals(0, state.caesar().orElseThrow().supply(0).bridgedOut());
    assertConserved(state);
  }

  @Test
  void aGenesisWithCaesarTakesStakeFromTheLedgerOnly() {
    Genesis g = genesis();
    assertThrows(IllegalArgumentException.class, () -> new Genesis(g.chainId(), g.validators(),
        g.parameters(), Map.of(hex(USERS.get(0)), 5_000L), g.plots(), g.regions(),
        g.genesisTimeMillis(), g.tickSeed(), g.ticksPerBlock(), g.caesar()));
    ChainState state = ChainState.genesis(g);
    assertEquals(5_000L, state.view().stakes().bondedStake(ChainFixture.SENDER_ACCOUNT));
    assertEquals(0L, state.view().stakes().bondedStake(account(USERS.get(0)).bytes()));
    assertEquals(g.caesar().supply(), state.caesar().orElseThrow().supply(0).genesis());
    assertTrue(ChainState.genesis(ChainFixture.genesis()).caesar().isEmpty());
  }
}
