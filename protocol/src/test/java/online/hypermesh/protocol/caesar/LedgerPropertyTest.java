package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import online.hypermesh.protocol.consensus.bft.Digest;
import org.junit.jupiter.api.Test;

/**
 * 100,000 random operations (transfers, stakes, unstakes, block and clock advances, rewards, bridge
 * locks, mints and burns) on 64 accounts, with a fixed seed: the conservation law holds exactly
 * after every one, no balance is ever negative, and replaying the logged payloads on a fresh
 * ledger gives every outcome and every balance again to the unit.
 */
class LedgerPropertyTest {

  private static final int STEPS = 100_000;
  private static final int MAX_ACCOUNTS = 64;
  private static final Digest REMOTE = LedgerTest.REMOTE;
  private static final CaesarParameters PARAMS =
      new CaesarParameters(120_000_000L, 5_000, 30, 2_000, 700);

  /** One logged step, applied the same way live and on replay. */
  private interface Step {
    Outcome apply(Ledger l);
  }

  private record User(Digest sender, byte[] payload, BlockTime at) implements Step {
    public Outcome apply(Ledger l) {
      CaesarCodec.Decoded d = CaesarCodec.decode(payload);
      return l.apply(sender, ((CaesarCodec.Valid) d).transaction(), at);
    }
  }

  private record Begin(BlockTime at) implements Step {
    public Outcome apply(Ledger l) {
      return l.beginBlock(at);
    }
  }

  private record Validators(List<Digest> ids, BlockTime at) implements Step {
    public Outcome apply(Ledger l) {
      return l.rewardValidators(ids, at);
    }
  }

  private record Provider(Digest id, BlockTime at) implements Step {
    public Outcome apply(Ledger l) {
      return l.rewardProvider(id, at);
    }
  }

  private record Mint(Digest recipient, long amount, BlockTime at) implements Step {
    public Outcome apply(Ledger l) {
      return l.mint(REMOTE, recipient, amount, at);
    }
  }

  private static Genesis genesis(List<Digest> ids, SplittableRandom rnd) {
    Map<Digest, Long> balances = new HashMap<>();
    Map<Digest, Long> bonded = new HashMap<>();
    for (Digest id : ids) {
      balances.put(id, rnd.nextLong(0, 1_000_000_000_000L));
      if (rnd.nextInt(4) == 0) {
        bonded.put(id, rnd.nextLong(1, 1_000_000_000L));
      }
    }
    return new Genesis(balances, bonded, 50_000_000L, new BlockTime(0, 1_700_000_000_000L));
  }

  @Test
  void conservationIsExactAfterEveryStepAndReplayGivesTheSameLedger() {
    SplittableRandom rnd = new SplittableRandom(20261125L);
    List<Digest> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(LedgerTest.id("account " + i));
    }
    Genesis genesis = genesis(ids, rnd);
    Ledger ledger = new Ledger(PARAMS, genesis);
    List<Step> log = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    Map<String, Integer> applied = new HashMap<>();
    Map<Rejection, Integer> refused = new EnumMap<>(Rejection.class);
    BlockTime now = genesis.start();
    int lawChecks = 0;

    for (int step = 0; step < STEPS; step++) {
      int r = rnd.nextInt(100);
      Step s;
      if (r < 8) {
        long advance = rnd.nextInt(50) == 0 ? rnd.nextLong(0, 30L * 86_400_000)
            : rnd.nextLong(0, 6L * 3_600_000);
        now = new BlockTime(now.height() + 1, now.millis() + advance);
        s = new Begin(now);
      } else if (r < 75 || r >= 93) {
        Digest from = pick(ids, rnd);
        CaesarTransaction tx;
        long nonce = nonce(ledger, from, rnd);
        long amount = amount(ledger.balance(from, now.millis()), rnd);
        if (r < 50 || r >= 93) {
          Digest to = ids.size() < MAX_ACCOUNTS && rnd.nextInt(30) == 0
              ? LedgerTest.id("new " + step) : pick(ids, rnd);
          if (!ids.contains(to)) {
            ids.add(to);
          }
          tx = new CaesarTransaction.Transfer(nonce, to, amount, r >= 93 ? "pour le café ☕" : "");
        } else if (r < 58) {
          tx = new CaesarTransaction.Bond(nonce, amount);
        } else if (r < 66) {
          long bonded = ledger.bondedStake(from.bytes());
          tx = new CaesarTransaction.Unbond(nonce, amount(bonded, rnd));
        } else if (r < 71) {
          tx = new CaesarTransaction.Lock(nonce, REMOTE, pick(ids, rnd), amount);
        } else {
          tx = new CaesarTransaction.Burn(nonce, REMOTE, pick(ids, rnd),
              Math.min(amount, Math.max(1, ledger.bridgedIn(REMOTE) + rnd.nextInt(3) - 1)));
        }
        s = new User(from, CaesarCodec.encode(tx, BridgeFixture.ANY_OWNER), now);
      } else if (r < 82) {
        int n = 1 + rnd.nextInt(4);
        s = new Validators(List.copyOf(ids.subList(0, n)), now);
      } else if (r < 86) {
        s = new Provider(pick(ids, rnd), now);
      } else {
        s = new Mint(pick(ids, rnd), rnd.nextLong(1, 10_000_000_000L), now);
      }
      Outcome o = s.apply(ledger);
      log.add(s);
      outcomes.add(o);
      if (o instanceof Outcome.Rejected rej) {
        refused.merge(rej.reason(), 1, Integer::sum);
      } else {
        applied.merge(s.getClass().getSimpleName()
            + (s instanceof User u ? CaesarCodec.decode(u.payload()).toString().replaceAll(
                ".*transaction=(\\w+)\\[.*", "$1") : ""), 1, Integer::sum);
      }

      Supply supply = ledger.conservation();
      assertTrue(supply.holds(), "step " + step + " " + s + ": " + supply);
      lawChecks++;
      for (Digest id : touched(s)) {
        AccountView v = ledger.account(id, now.millis()).orElse(null);
        assertTrue(v == null || v.balance() >= 0 && v.bonded() >= 0,
            "step " + step + ": negative " + v);
      }
      if (step % 1_000 == 0) {
        for (Digest id : ledger.accountIds()) {
          AccountView v = ledger.account(id, now.millis()).orElseThrow();
          assertTrue(v.balance() >= 0 && v.bonded() >= 0, "step " + step + ": negative " + v);
        }
      }
    }
    assertEquals(STEPS, lawChecks);
    // The run exercised every kind of step, applied and refused.
    for (String kind : List.of("Begin", "UserTransfer", "UserBond", "UserUnbond", "UserLock",
        "UserBurn", "Validators", "Provider", "Mint")) {
      assertTrue(applied.getOrDefault(kind, 0) > 100, kind + " applied: " + applied);
    }
    for (Rejection reason : List.of(Rejection.INSUFFICIENT_FUNDS, Rejection.BAD_NONCE,
        Rejection.INSUFFICIENT_BONDED, Rejection.BRIDGE_LIMIT)) {
      assertTrue(refused.getOrDefault(reason, 0) > 20, reason + " refused: " + refused);
    }
    Supply end = ledger.conservation();
    assertTrue(end.unbonding() > 0 || end.bonded() > 0);
    assertTrue(end.rewardPool() > 0, "decay fed the pool: " + end);

    Ledger replay = new Ledger(PARAMS, genesis);
    for (int i = 0; i < log.size(); i++) {
      assertEquals(outcomes.get(i), log.get(i).apply(replay), "step " + i);
    }
    assertEquals(LedgerTest.snapshot(ledger), LedgerTest.snapshot(replay));
    assertEquals(ledger.conservation(now.millis() + 86_400_000L),
        replay.conservation(now.millis() + 86_400_000L));
  }

  private static List<Digest> touched(Step s) {
    if (s instanceof User u) {
      CaesarTransaction tx = ((CaesarCodec.Valid) CaesarCodec.decode(u.payload())).transaction();
      return tx instanceof CaesarTransaction.Transfer t ? List.of(u.sender(), t.to())
          : List.of(u.sender());
    }
    if (s instanceof Validators v) {
      return v.ids();
    }
    if (s instanceof Provider p) {
      return List.of(p.id());
    }
    if (s instanceof Mint m) {
      return List.of(m.recipient());
    }
    return List.of();
  }

  private static Digest pick(List<Digest> ids, SplittableRandom rnd) {
    return ids.get(rnd.nextInt(ids.size()));
  }

  /** Usually the right nonce; sometimes a replayed or a future one. */
  private static long nonce(Ledger l, Digest id, SplittableRandom rnd) {
    long expected = l.account(id, l.clock().millis()).map(AccountView::nonce).orElse(0L);
    int r = rnd.nextInt(100);
    return r < 3 && expected > 0 ? expected - 1 : r < 6 ? expected + 1 : expected;
  }

  /** Up to the available amount, sometimes a little more (refused), always positive. */
  private static long amount(long available, SplittableRandom rnd) {
    long cap = Math.max(1, available + available / 10 + 1);
    return rnd.nextInt(4) == 0 ? rnd.nextLong(1, cap + 1)
        : rnd.nextLong(1, Math.max(2, available / 4 + 2));
  }
}
