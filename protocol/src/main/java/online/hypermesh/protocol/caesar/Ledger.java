package online.hypermesh.protocol.caesar;

import static online.hypermesh.protocol.caesar.Outcome.applied;
import static online.hypermesh.protocol.caesar.Outcome.rejected;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.StakeView;

/**
 * The CAES ledger as a deterministic state machine: the same genesis and the same operations at
 * the same {@link BlockTime}s give the same state to the unit on every node. Single-threaded (the
 * owner applies committed blocks in order). Every operation checks everything before it changes
 * anything, so a refused operation leaves the ledger exactly as it was.
 *
 * <p>Demurrage is collected lazily: an account's balance is brought to the block time (the decay
 * moved to the reward pool) when an operation touches it; reads compute the same value without
 * storing it. Bonded and unbonding stake, the reward pool and bridged-out units do not decay.
 */
public final class Ledger implements StakeView {

  private final CaesarParameters params;
  private final Demurrage demurrage;
  private final long genesisSupply;
  private final TreeMap<Digest, Account> accounts = new TreeMap<>();
  /** Release height to the accounts with an entry maturing then, in unbond order. */
  private final TreeMap<Long, List<Digest>> maturing = new TreeMap<>();
  private final TreeMap<Digest, Long> bridgedOut = new TreeMap<>();
  private final TreeMap<Digest, Long> bridgedIn = new TreeMap<>();
  private long rewardPool;
  private BlockTime clock;

  public Ledger(CaesarParameters params, Genesis genesis) {
    this.params = params;
    this.demurrage = Demurrage.of(params);
    this.genesisSupply = genesis.supply();
    this.clock = genesis.start();
    this.rewardPool = genesis.rewardPool();
    for (Map.Entry<Digest, Long> e : genesis.balances().entrySet()) {
      account(e.getKey()).balance = e.getValue();
    }
    for (Map.Entry<Digest, Long> e : genesis.bonded().entrySet()) {
      account(e.getKey()).bonded = e.getValue();
    }
  }

  public CaesarParameters parameters() {
    return params;
  }

  public BlockTime clock() {
    return clock;
  }

  public long rewardPool() {
    return rewardPool;
  }

  /**
   * Starts a committed block: moves the clock and returns to their owners' balances the stakes
   * whose release height is at or below the block's height. Applied with the amount released.
   */
  public Outcome beginBlock(BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    long released = 0;
    NavigableMap<Long, List<Digest>> due = maturing.headMap(at.height(), true);
    for (List<Digest> ids : due.values()) {
      for (Digest id : ids) {
        Account a = accounts.get(id);
        Unbonding u = a.unbondings.pollFirst();
        touch(a, at.millis());
        a.unbonding -= u.amount();
        a.balance += u.amount();
        released += u.amount();
      }
    }
    due.clear();
    clock = at;
    return applied(released);
  }

  /** Moves {@code amount} from {@code from} to {@code to} (created if new). */
  public Outcome transfer(
      Digest from, Digest to, long amount, long nonce, String memo, BlockTime at) {
    if (memo.getBytes(StandardCharsets.UTF_8).length > CaesarCodec.MAX_MEMO_BYTES) {
      return rejected(Rejection.MEMO_TOO_LONG,
          "memo exceeds " + CaesarCodec.MAX_MEMO_BYTES + " bytes of UTF-8");
    }
    Outcome refused = checkSpend(from, amount, nonce, at);
    if (refused != null) {
      return refused;
    }
    Account sender = debit(from, amount, at);
    sender.nonce++;
    credit(to, amount, at);
    return done(amount, at);
  }

  /** Moves {@code amount} from the liquid balance to bonded stake. */
  public Outcome bond(Digest account, long amount, long nonce, BlockTime at) {
    Outcome refused = checkSpend(account, amount, nonce, at);
    if (refused != null) {
      return refused;
    }
    Account a = debit(account, amount, at);
    a.bonded += amount;
    a.nonce++;
    return done(amount, at);
  }

  /**
   * Moves {@code amount} of bonded stake to unbonding; it returns to the liquid balance at the
   * first block whose height is at least {@code at.height + unbondingBlocks}.
   */
  public Outcome unbond(Digest account, long amount, long nonce, BlockTime at) {
    Outcome refused = checkOperation(account, amount, nonce, at);
    if (refused != null) {
      return refused;
    }
    Account a = accounts.get(account);
    if (a.bonded < amount) {
      return rejected(Rejection.INSUFFICIENT_BONDED,
          "bonded stake " + a.bonded + " is below " + amount);
    }
    long release = at.height() + params.unbondingBlocks();
    a.bonded -= amount;
    a.unbonding += amount;
    a.unbondings.addLast(new Unbonding(amount, release));
    maturing.computeIfAbsent(release, h -> new ArrayList<>()).add(account);
    a.nonce++;
    return done(amount, at);
  }

  /** Locks {@code amount} here for {@code recipient} on {@code remoteChain} (wrapped there). */
  public Outcome lock(
      Digest account, long amount, long nonce, Digest remoteChain, Digest recipient, BlockTime at) {
    Outcome refused = checkSpend(account, amount, nonce, at);
    if (refused != null) {
      return refused;
    }
    debit(account, amount, at).nonce++;
    bridgedOut.merge(remoteChain, amount, Long::sum);
    return done(amount, at);
  }

  /**
   * Burns {@code amount} of units that came from {@code remoteChain}, to be released there to
   * {@code recipient}. At most what arrived from that chain and is still here can go back.
   */
  public Outcome burn(
      Digest account, long amount, long nonce, Digest remoteChain, Digest recipient, BlockTime at) {
    Outcome refused = checkSpend(account, amount, nonce, at);
    if (refused != null) {
      return refused;
    }
    long in = bridgedIn.getOrDefault(remoteChain, 0L);
    if (in < amount) {
      return rejected(Rejection.BRIDGE_LIMIT,
          "only " + in + " units arrived from chain " + remoteChain + " and can go back");
    }
    debit(account, amount, at).nonce++;
    decrement(bridgedIn, remoteChain, amount);
    return done(amount, at);
  }

  /** Credits units locked on {@code remoteChain}: only {@link BridgeEscrow} calls this. */
  Outcome mint(Digest remoteChain, Digest recipient, long amount, BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    if (amount <= 0) {
      return nonPositive(amount);
    }
    long totalIn = bridgedIn.values().stream().mapToLong(Long::longValue).sum();
    if (genesisSupply + totalIn > Long.MAX_VALUE - amount) {
      return rejected(Rejection.SUPPLY_OVERFLOW, "minting " + amount + " would exceed 2^63 - 1");
    }
    bridgedIn.merge(remoteChain, amount, Long::sum);
    credit(recipient, amount, at);
    return done(amount, at);
  }

  /** Releases units locked here, burned on {@code remoteChain}: only {@link BridgeEscrow}. */
  Outcome unlock(Digest remoteChain, Digest recipient, long amount, BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    if (amount <= 0) {
      return nonPositive(amount);
    }
    long out = bridgedOut.getOrDefault(remoteChain, 0L);
    if (out < amount) {
      return rejected(Rejection.BRIDGE_LIMIT,
          "only " + out + " units are locked for chain " + remoteChain);
    }
    decrement(bridgedOut, remoteChain, amount);
    credit(recipient, amount, at);
    return done(amount, at);
  }

  /**
   * The per-block reward: min(blockReward, pool) shared equally by {@code validators} (each id
   * once per listing), the remainder of the division left in the pool. Applied with what was paid.
   */
  public Outcome rewardValidators(List<Digest> validators, BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    if (validators.isEmpty()) {
      return done(0, at);
    }
    long share = Math.min(params.blockReward(), rewardPool) / validators.size();
    for (Digest v : validators) {
      credit(v, share, at);
    }
    long paid = share * validators.size();
    rewardPool -= paid;
    return done(paid, at);
  }

  /** The compute-provider hook, per completed job: min(jobReward, pool) to {@code provider}. */
  public Outcome rewardProvider(Digest provider, BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    long paid = Math.min(params.jobReward(), rewardPool);
    credit(provider, paid, at);
    rewardPool -= paid;
    return done(paid, at);
  }

  /**
   * Spends nonce {@code nonce} of {@code account} (created, empty, if new) without moving any
   * unit: what the chain does when the ledger refused a committed, owner-signed operation, so the
   * signed authorization, public in the chain, cannot apply later when it would succeed. Refused
   * (and nothing changes) unless {@code nonce} is the account's next.
   */
  public Outcome spendNonce(Digest account, long nonce, BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    Account a = accounts.get(account);
    long expected = a == null ? 0 : a.nonce;
    if (nonce != expected) {
      return rejected(Rejection.BAD_NONCE,
          "account " + account + " expects nonce " + expected + ", not " + nonce);
    }
    accounts.computeIfAbsent(account, k -> new Account(at.millis())).nonce++;
    return done(0, at);
  }

  /** Applies a decoded payload sent by {@code sender} (redemptions go to {@link BridgeEscrow}). */
  public Outcome apply(Digest sender, CaesarTransaction tx, BlockTime at) {
    if (tx instanceof CaesarTransaction.Transfer t) {
      return transfer(sender, t.to(), t.amount(), t.nonce(), t.memo(), at);
    } else if (tx instanceof CaesarTransaction.Bond b) {
      return bond(sender, b.amount(), b.nonce(), at);
    } else if (tx instanceof CaesarTransaction.Unbond u) {
      return unbond(sender, u.amount(), u.nonce(), at);
    } else if (tx instanceof CaesarTransaction.Lock l) {
      return lock(sender, l.amount(), l.nonce(), l.remoteChain(), l.recipient(), at);
    } else if (tx instanceof CaesarTransaction.Burn b) {
      return burn(sender, b.amount(), b.nonce(), b.remoteChain(), b.recipient(), at);
    } else if (tx instanceof CaesarTransaction.Register) {
      return rejected(Rejection.NOT_A_LEDGER_OPERATION,
          "a bridge registration is applied by the chain state");
    }
    return rejected(Rejection.NOT_A_LEDGER_OPERATION,
        "a redemption is applied by the bridge escrow of its source chain");
  }

  /** The liquid balance as of {@code millis} (as of the last touch if that is later). */
  public long balance(Digest id, long millis) {
    Account a = accounts.get(id);
    return a == null ? 0 : decayed(a, millis);
  }

  public Optional<AccountView> account(Digest id, long millis) {
    Account a = accounts.get(id);
    if (a == null) {
      return Optional.empty();
    }
    return Optional.of(new AccountView(id, decayed(a, millis), Math.max(millis, a.touchedMillis),
        a.nonce, a.bonded, List.copyOf(a.unbondings)));
  }

  /** Account ids in their canonical (unsigned byte) order. */
  public List<Digest> accountIds() {
    return List.copyOf(accounts.keySet());
  }

  @Override
  public long bondedStake(byte[] accountId) {
    Account a = accountId.length == Digest.LENGTH ? accounts.get(Digest.of(accountId)) : null;
    return a == null ? 0 : a.bonded;
  }

  public long bridgedOut(Digest remoteChain) {
    return bridgedOut.getOrDefault(remoteChain, 0L);
  }

  public long bridgedIn(Digest remoteChain) {
    return bridgedIn.getOrDefault(remoteChain, 0L);
  }

  /**
   * A digest of the whole ledger (clock, pool, supply, every account with its unbonding entries,
   * the bridge counters), equal on every node that applied the same operations: two ledgers with
   * the same digest hold the same balances to the unit.
   */
  public Digest stateDigest() {
    java.security.MessageDigest sha;
    try {
      sha = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
    longs(sha, clock.height(), clock.millis(), rewardPool, genesisSupply, accounts.size());
    for (Map.Entry<Digest, Account> e : accounts.entrySet()) {
      Account a = e.getValue();
      sha.update(e.getKey().bytes());
      longs(sha, a.balance, a.touchedMillis, a.nonce, a.bonded, a.unbonding, a.unbondings.size());
      for (Unbonding u : a.unbondings) {
        longs(sha, u.amount(), u.releaseHeight());
      }
    }
    for (TreeMap<Digest, Long> m : List.of(bridgedOut, bridgedIn)) {
      longs(sha, m.size());
      for (Map.Entry<Digest, Long> e : m.entrySet()) {
        sha.update(e.getKey().bytes());
        longs(sha, e.getValue());
      }
    }
    return Digest.of(sha.digest());
  }

  /** The conservation breakdown at the ledger's clock. */
  public Supply conservation() {
    return conservation(clock.millis());
  }

  /** The conservation breakdown with demurrage applied as of {@code millis}, from the accounts. */
  public Supply conservation(long millis) {
    long balances = 0;
    long pending = 0;
    long bonded = 0;
    long unbonding = 0;
    for (Account a : accounts.values()) {
      long kept = decayed(a, millis);
      balances += kept;
      pending += a.balance - kept;
      bonded += a.bonded;
      unbonding += a.unbonding;
    }
    long out = bridgedOut.values().stream().mapToLong(Long::longValue).sum();
    long in = bridgedIn.values().stream().mapToLong(Long::longValue).sum();
    return new Supply(millis, genesisSupply, balances, rewardPool + pending, bonded, unbonding,
        out, in);
  }

  private Outcome checkOperation(Digest id, long amount, long nonce, BlockTime at) {
    if (!at.notBefore(clock)) {
      return backwards(at);
    }
    if (amount <= 0) {
      return nonPositive(amount);
    }
    Account a = accounts.get(id);
    if (a == null) {
      return rejected(Rejection.UNKNOWN_ACCOUNT, "no account " + id);
    }
    if (nonce != a.nonce) {
      return rejected(Rejection.BAD_NONCE,
          "account " + id + " expects nonce " + a.nonce + ", not " + nonce);
    }
    return null;
  }

  private Outcome checkSpend(Digest id, long amount, long nonce, BlockTime at) {
    Outcome refused = checkOperation(id, amount, nonce, at);
    if (refused != null) {
      return refused;
    }
    long liquid = decayed(accounts.get(id), at.millis());
    if (liquid < amount) {
      return rejected(Rejection.INSUFFICIENT_FUNDS,
          "balance after demurrage is " + liquid + ", below " + amount);
    }
    return null;
  }

  private Account debit(Digest id, long amount, BlockTime at) {
    Account a = accounts.get(id);
    touch(a, at.millis());
    a.balance -= amount;
    return a;
  }

  private void credit(Digest id, long amount, BlockTime at) {
    Account a = accounts.computeIfAbsent(id, k -> new Account(at.millis()));
    touch(a, at.millis());
    a.balance += amount;
  }

  private Account account(Digest id) {
    return accounts.computeIfAbsent(id, k -> new Account(clock.millis()));
  }

  private void touch(Account a, long millis) {
    if (millis > a.touchedMillis) {
      long kept = demurrage.apply(a.balance, millis - a.touchedMillis);
      rewardPool += a.balance - kept;
      a.balance = kept;
      a.touchedMillis = millis;
    }
  }

  private long decayed(Account a, long millis) {
    return demurrage.apply(a.balance, Math.max(0, millis - a.touchedMillis));
  }

  private Outcome done(long amount, BlockTime at) {
    clock = at;
    return applied(amount);
  }

  private Outcome backwards(BlockTime at) {
    return rejected(Rejection.CLOCK_BACKWARDS, "block " + at + " is before " + clock);
  }

  private static Outcome nonPositive(long amount) {
    return rejected(Rejection.NON_POSITIVE_AMOUNT, "amount must be positive, not " + amount);
  }

  private static void longs(java.security.MessageDigest sha, long... values) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * values.length);
    for (long v : values) {
      b.putLong(v);
    }
    sha.update(b.array());
  }

  private static void decrement(TreeMap<Digest, Long> m, Digest key, long amount) {
    long left = m.get(key) - amount;
    if (left == 0) {
      m.remove(key);
    } else {
      m.put(key, left);
    }
  }
}
