package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import online.hypermesh.protocol.consensus.bft.Digest;
import org.junit.jupiter.api.Test;

class LedgerTest {

  static final long FIVE_PERCENT = 50_000_000L;
  static final Digest ALICE = id("alice");
  static final Digest BOB = id("bob");
  static final Digest CAROL = id("carol");
  static final Digest REMOTE = id("remote chain");

  static Digest id(String name) {
    return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
  }

  static Ledger ledger(long rate, long unbondingBlocks) {
    CaesarParameters p = new CaesarParameters(rate, 0, unbondingBlocks, 1_000, 300);
    return new Ledger(p, new Genesis(Map.of(ALICE, 1_000_000L, BOB, 500L), Map.of(CAROL, 10_000L),
        10_000L, new BlockTime(0, 0)));
  }

  /** Everything observable: every account, the breakdown, the clock, the bridge counters. */
  static List<Object> snapshot(Ledger l) {
    List<Object> out = new ArrayList<>();
    for (Digest d : l.accountIds()) {
      out.add(l.account(d, l.clock().millis()).orElseThrow());
    }
    out.add(l.conservation());
    out.add(l.clock());
    out.add(l.bridgedIn(REMOTE));
    out.add(l.bridgedOut(REMOTE));
    return out;
  }

  static void assertRejected(Rejection reason, Outcome o) {
    assertTrue(o instanceof Outcome.Rejected r && r.reason() == reason, "expected " + reason
        + ", got " + o);
  }

  static void assertRefusedUnchanged(Ledger l, Rejection reason, java.util.function.Supplier<Outcome> op) {
    List<Object> before = snapshot(l);
    assertRejected(reason, op.get());
    assertEquals(before, snapshot(l), "a refused operation changed the ledger");
  }

  @Test
  void genesisSupplyIsTheSumOfAllocationsStakesAndPool() {
    Ledger l = ledger(FIVE_PERCENT, 5);
    Supply s = l.conservation();
    assertEquals(1_000_000L + 500 + 10_000 + 10_000, s.genesis());
    assertEquals(1_000_500L, s.balances());
    assertEquals(10_000L, s.bonded());
    assertTrue(s.holds());
    assertEquals(10_000L, l.bondedStake(CAROL.bytes()));
    assertEquals(0, l.bondedStake(new byte[3]));
  }

  @Test
  void transferMovesUnitsCreatesTheRecipientAndAdvancesTheNonce() {
    Ledger l = ledger(0, 5);
    BlockTime at = new BlockTime(1, 1_000);
    assertEquals(new Outcome.Applied(400), l.transfer(ALICE, id("dave"), 400, 0, "rent", at));
    assertEquals(999_600, l.balance(ALICE, 1_000));
    assertEquals(400, l.balance(id("dave"), 1_000));
    assertEquals(1, l.account(ALICE, 1_000).orElseThrow().nonce());
    assertRefusedUnchanged(l, Rejection.BAD_NONCE,
        () -> l.transfer(ALICE, BOB, 1, 0, "", at));
    assertEquals(new Outcome.Applied(1), l.transfer(ALICE, BOB, 1, 1, "", at));
    assertTrue(l.conservation().holds());
  }

  @Test
  void everyRefusalNamesItsReasonAndChangesNothing() {
    Ledger l = ledger(FIVE_PERCENT, 5);
    BlockTime at = new BlockTime(3, 5_000);
    assertEquals(new Outcome.Applied(1), l.transfer(ALICE, BOB, 1, 0, "", at));
    assertRefusedUnchanged(l, Rejection.NON_POSITIVE_AMOUNT,
        () -> l.transfer(ALICE, BOB, 0, 1, "", at));
    assertRefusedUnchanged(l, Rejection.NON_POSITIVE_AMOUNT, () -> l.bond(ALICE, -5, 1, at));
    assertRefusedUnchanged(l, Rejection.UNKNOWN_ACCOUNT,
        () -> l.transfer(id("nobody"), BOB, 1, 0, "", at));
    assertRefusedUnchanged(l, Rejection.BAD_NONCE, () -> l.transfer(ALICE, BOB, 1, 7, "", at));
    assertRefusedUnchanged(l, Rejection.INSUFFICIENT_FUNDS,
        () -> l.transfer(BOB, ALICE, 502, 0, "", at));
    assertRefusedUnchanged(l, Rejection.CLOCK_BACKWARDS,
        () -> l.transfer(ALICE, BOB, 1, 1, "", new BlockTime(3, 4_999)));
    assertRefusedUnchanged(l, Rejection.CLOCK_BACKWARDS,
        () -> l.transfer(ALICE, BOB, 1, 1, "", new BlockTime(2, 6_000)));
    assertRefusedUnchanged(l, Rejection.CLOCK_BACKWARDS, () -> l.beginBlock(new BlockTime(2, 9_000)));
    assertRefusedUnchanged(l, Rejection.MEMO_TOO_LONG,
        () -> l.transfer(ALICE, BOB, 1, 1, "é".repeat(129), at));
    assertRefusedUnchanged(l, Rejection.INSUFFICIENT_BONDED, () -> l.unbond(ALICE, 1, 1, at));
    assertRefusedUnchanged(l, Rejection.BRIDGE_LIMIT,
        () -> l.burn(ALICE, 1, 1, REMOTE, BOB, at));
    assertRefusedUnchanged(l, Rejection.BRIDGE_LIMIT, () -> l.unlock(REMOTE, BOB, 1, at));
    assertRefusedUnchanged(l, Rejection.NOT_A_LEDGER_OPERATION, () -> l.apply(ALICE,
        new CaesarTransaction.Redeem(REMOTE, BOB, 1, BridgeFixture.anyProof()), at));
    assertRefusedUnchanged(l, Rejection.NOT_A_LEDGER_OPERATION, () -> l.apply(ALICE,
        new CaesarTransaction.Register(0, REMOTE, 1, List.of(new byte[] {1})), at));
  }

  @Test
  void demurrageIsCheckedBeforeSpendingAndWhatDecaysGoesToThePool() {
    Ledger l = ledger(FIVE_PERCENT, 5);
    BlockTime year = new BlockTime(1, Demurrage.YEAR_MILLIS);
    // 500 units a year later at 5%: 474 (475 exactly, the factor rounds down).
    assertEquals(474, l.balance(BOB, year.millis()));
    assertRefusedUnchanged(l, Rejection.INSUFFICIENT_FUNDS,
        () -> l.transfer(BOB, ALICE, 475, 0, "", year));
    long poolBefore = l.rewardPool();
    assertEquals(new Outcome.Applied(474), l.transfer(BOB, CAROL, 474, 0, "", year));
    assertEquals(poolBefore + 26, l.rewardPool(), "the 26 decayed units are in the pool");
    assertEquals(0, l.balance(BOB, year.millis()));
    // Reads do not collect: Alice's decay is pending, counted in the pool by the breakdown.
    Supply s = l.conservation();
    assertEquals(l.rewardPool() + (1_000_000 - l.balance(ALICE, year.millis())), s.rewardPool());
    assertTrue(s.holds());
    // Bonded stake does not decay.
    assertEquals(10_000, l.account(CAROL, 10 * Demurrage.YEAR_MILLIS).orElseThrow().bonded());
  }

  @Test
  void unbondedStakeReturnsAtTheReleaseHeight() {
    Ledger l = ledger(0, 5);
    assertEquals(new Outcome.Applied(600_000), l.bond(ALICE, 600_000, 0, new BlockTime(10, 100)));
    assertEquals(600_000, l.bondedStake(ALICE.bytes()));
    assertEquals(new Outcome.Applied(250_000), l.unbond(ALICE, 250_000, 1, new BlockTime(10, 100)));
    assertEquals(new Outcome.Applied(50_000), l.unbond(ALICE, 50_000, 2, new BlockTime(12, 200)));
    AccountView v = l.account(ALICE, 200).orElseThrow();
    assertEquals(List.of(new Unbonding(250_000, 15), new Unbonding(50_000, 17)), v.unbonding());
    assertEquals(300_000, v.bonded());
    assertEquals(new Outcome.Applied(0), l.beginBlock(new BlockTime(14, 300)));
    assertEquals(400_000, l.balance(ALICE, 300));
    assertEquals(new Outcome.Applied(250_000), l.beginBlock(new BlockTime(15, 400)));
    assertEquals(650_000, l.balance(ALICE, 400));
    assertEquals(new Outcome.Applied(50_000), l.beginBlock(new BlockTime(30, 500)));
    assertEquals(700_000, l.balance(ALICE, 500));
    assertTrue(l.account(ALICE, 500).orElseThrow().unbonding().isEmpty());
    assertEquals(new Supply(500, 1_020_500, 700_500, 10_000, 310_000, 0, 0, 0), l.conservation());
  }

  @Test
  void rewardsComeFromThePoolAndNeverExceedIt() {
    Ledger l = ledger(0, 5);
    BlockTime at = new BlockTime(1, 10);
    // 1000 per block over 3 validators: 333 each, 1 unit stays in the pool.
    assertEquals(new Outcome.Applied(999), l.rewardValidators(List.of(ALICE, BOB, CAROL), at));
    assertEquals(10_000 - 999, l.rewardPool());
    assertEquals(833, l.balance(BOB, 10));
    assertEquals(new Outcome.Applied(300), l.rewardProvider(id("gpu"), at));
    assertEquals(300, l.balance(id("gpu"), 10));
    for (int i = 0; i < 8; i++) {
      l.rewardValidators(List.of(ALICE), at);
    }
    assertEquals(701, l.rewardPool());
    assertEquals(new Outcome.Applied(701), l.rewardValidators(List.of(ALICE), at));
    assertEquals(new Outcome.Applied(0), l.rewardProvider(id("gpu"), at));
    assertEquals(0, l.rewardPool());
    assertEquals(new Outcome.Applied(0), l.rewardValidators(List.of(), at));
    assertTrue(l.conservation().holds());
  }

  @Test
  void bridgeCountersKeepTheLawAcrossLockMintBurnAndUnlock() {
    Ledger l = ledger(FIVE_PERCENT, 5);
    BlockTime at = new BlockTime(1, 1_000);
    assertEquals(new Outcome.Applied(10_000), l.lock(ALICE, 10_000, 0, REMOTE, BOB, at));
    assertEquals(10_000, l.bridgedOut(REMOTE));
    assertEquals(new Outcome.Applied(7_000), l.mint(REMOTE, CAROL, 7_000, at));
    assertEquals(7_000, l.bridgedIn(REMOTE));
    Supply s = l.conservation();
    assertTrue(s.holds());
    assertEquals(s.genesis() + 7_000,
        s.balances() + s.rewardPool() + s.bonded() + s.unbonding() + s.bridgedOut());
    assertRefusedUnchanged(l, Rejection.BRIDGE_LIMIT, () -> l.burn(ALICE, 7_001, 1, REMOTE, BOB, at));
    assertEquals(new Outcome.Applied(7_000), l.burn(CAROL, 7_000, 0, REMOTE, BOB, at));
    assertEquals(0, l.bridgedIn(REMOTE));
    assertEquals(new Outcome.Applied(10_000), l.unlock(REMOTE, ALICE, 10_000, at));
    assertEquals(0, l.bridgedOut(REMOTE));
    // Alice got back what she locked; only one second of demurrage is gone.
    assertEquals(ExactDecay.kept(FIVE_PERCENT, 0, 1_000_000, 1_000), l.balance(ALICE, 1_000));
    assertTrue(l.conservation().holds());
    assertFalse(l.conservation(2 * Demurrage.YEAR_MILLIS).balances() == l.conservation().balances());
    assertTrue(l.conservation(2 * Demurrage.YEAR_MILLIS).holds());
  }
}
