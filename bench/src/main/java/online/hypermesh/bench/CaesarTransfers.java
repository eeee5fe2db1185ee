package online.hypermesh.bench;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.protocol.caesar.AccountView;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.caesar.Supply;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.chain.CaesarGenesis;
import online.hypermesh.protocol.consensus.chain.CaesarState;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.NodeLocalCa;

/**
 * The CAES side of {@code bench caesar}: funded owner accounts (FALCON-1024 identities from the
 * bench CA) in the genesis's Caesar section, owner-signed transfers between them with each owner's
 * nonces in submission order, and the end-of-run check of the validators' {@link CaesarState}.
 *
 * <p>Demurrage is 0 in this genesis so every balance can be predicted exactly from the
 * acknowledged transfers; block rewards are paid (from the pool to the validators) as on a real
 * chain.
 */
final class CaesarTransfers {

  static final long OWNER_BALANCE = 1_000_000_000L;
  static final long REWARD_POOL = 1_000_000_000L;
  static final long BLOCK_REWARD = 10L;
  static final long UNBONDING_BLOCKS = 100L;

  /** Transfer i: owner {@code from} pays {@code amount} to owner {@code to} with {@code nonce}. */
  record Planned(int from, int to, long nonce, long amount) {}

  record Verification(long submitted, long acknowledged, long appliedOnEveryValidator,
                      Map<String, Long> failedByReason, boolean conservationHoldsOnEveryValidator,
                      boolean balancesAndNoncesAsExpectedOnEveryValidator, boolean stateDigestsAgreeAtEqualHeights,
                      List<Long> validatorHeights, Supply supplyOnValidator0, List<String> mismatches) {}

  final List<Identity> owners = new ArrayList<>();
  final List<Digest> accounts = new ArrayList<>();

  CaesarTransfers(NodeLocalCa ca, Inet6Address address, int count) {
    for (int i = 0; i < count; i++) {
      Identity owner = ValidatorCluster.identity(ca, "owner-" + i, address);
      owners.add(owner);
      accounts.add(Digest.of(Accounts.id(owner.leaf().getPublicKey())));
    }
  }

  /** The Caesar section: every owner funded, the sender's stake bonded, a reward pool. */
  CaesarGenesis genesis(String senderHex) {
    Map<String, Long> balances = new TreeMap<>();
    for (Digest a : accounts) {
      balances.put(HexFormat.of().formatHex(a.bytes()), OWNER_BALANCE);
    }
    return new CaesarGenesis(new CaesarParameters(0, 0, UNBONDING_BLOCKS, BLOCK_REWARD, 0), balances,
        Map.of(senderHex, ValidatorCluster.SENDER_STAKE), REWARD_POOL);
  }

  /**
   * Transfer i is owner i mod n's (i div n)-th operation, so submitting in index order submits
   * each owner's nonces in order; the recipient rotates over the other owners.
   */
  Planned plan(int i) {
    int n = owners.size();
    int from = i % n;
    long nonce = i / n;
    int to = (from + 1 + (int) (nonce % (n - 1))) % n;
    return new Planned(from, to, nonce, 1 + i % 100);
  }

  /** The owner-signed payloads of transfers {@code first..first+count-1}, signed on {@code threads}. */
  byte[][] payloads(Digest chainId, int first, int count, int threads) throws Exception {
    byte[][] out = new byte[count][];
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      pool.submit(() -> IntStream.range(0, count).parallel().forEach(k -> {
        Planned p = plan(first + k);
        CaesarTransaction.Transfer op = new CaesarTransaction.Transfer(p.nonce(), accounts.get(p.to()), p.amount(), "");
        Identity owner = owners.get(p.from());
        out[k] = CaesarCodec.encode(op, OwnerAuthorization.sign(chainId, op, owner.privateKey(), owner.chain()));
      })).get();
    } finally {
      pool.shutdown();
    }
    return out;
  }

  /**
   * Reads every validator's state (the validators stopped): acknowledged = committed on validator
   * 0; each must be committed and applied on every validator, balances and nonces must be what
   * the acknowledged transfers make them, conservation must hold, and validators at the same
   * height must have the same state digest.
   */
  Verification verify(List<ChainState> states, Validator.SubmittedTransaction[] transfers) {
    List<String> mismatches = new ArrayList<>();
    int n = owners.size();
    long[] balance = new long[n];
    long[] nonce = new long[n];
    java.util.Arrays.fill(balance, OWNER_BALANCE);
    boolean[] acknowledged = new boolean[transfers.length];
    long ackCount = 0;
    Map<String, Long> failed = new TreeMap<>();
    ChainState first = states.get(0);
    synchronized (first) {
      CaesarState caesar = first.caesar().orElseThrow();
      for (int i = 0; i < transfers.length; i++) {
        Digest id = Digest.of(transfers[i].id());
        if (first.heightOf(id).isEmpty()) {
          continue;
        }
        acknowledged[i] = true;
        ackCount++;
        Planned p = plan(i);
        var failure = caesar.failure(id);
        if (failure.isPresent()) {
          String reason = failure.get();
          String key = reason.contains(":") ? reason.substring(0, reason.indexOf(':')) : reason;
          failed.merge(key, 1L, Long::sum);
          if (!key.equals("BAD_NONCE")) {
            nonce[p.from()]++;
          }
          continue;
        }
        balance[p.from()] -= p.amount();
        balance[p.to()] += p.amount();
        nonce[p.from()]++;
      }
    }
    long appliedEverywhere = 0;
    boolean conservation = true;
    boolean asExpected = true;
    List<Long> heights = new ArrayList<>();
    Map<Long, Digest> digestAtHeight = new TreeMap<>();
    boolean digestsAgree = true;
    Supply supply0 = null;
    long[] appliedOn = new long[states.size()];
    for (int v = 0; v < states.size(); v++) {
      ChainState state = states.get(v);
      synchronized (state) {
        CaesarState caesar = state.caesar().orElseThrow();
        heights.add(state.height());
        Supply supply = caesar.supply(caesar.clock().millis());
        if (v == 0) {
          supply0 = supply;
        }
        if (!supply.holds()) {
          conservation = false;
          mismatches.add("validator " + v + ": conservation does not hold: " + supply);
        }
        for (int i = 0; i < transfers.length; i++) {
          if (!acknowledged[i]) {
            continue;
          }
          Digest id = Digest.of(transfers[i].id());
          if (state.heightOf(id).isPresent() && caesar.failure(id).isEmpty()) {
            appliedOn[v]++;
          } else if (mismatches.size() < 20) {
            mismatches.add("validator " + v + ": acknowledged transfer " + i + " " + id.hex() + " is "
                + (state.heightOf(id).isEmpty() ? "not committed" : "failed: " + caesar.failure(id).get()));
          }
        }
        for (int o = 0; o < n; o++) {
          AccountView a = caesar.account(accounts.get(o), caesar.clock().millis()).orElse(null);
          if (a == null || a.balance() != balance[o] || a.nonce() != nonce[o]) {
            asExpected = false;
            if (mismatches.size() < 20) {
              mismatches.add("validator " + v + ": owner " + o + " has " + (a == null ? "no account"
                  : "balance " + a.balance() + ", nonce " + a.nonce()) + "; expected balance " + balance[o]
                  + ", nonce " + nonce[o]);
            }
          }
        }
        Digest digest = state.stateDigest();
        Digest seen = digestAtHeight.putIfAbsent(state.height(), digest);
        if (seen != null && !seen.equals(digest)) {
          digestsAgree = false;
          mismatches.add("validator " + v + ": state digest at height " + state.height() + " differs");
        }
      }
    }
    appliedEverywhere = java.util.Arrays.stream(appliedOn).min().orElse(0);
    return new Verification(transfers.length, ackCount, appliedEverywhere, failed, conservation, asExpected,
        digestsAgree, heights, supply0, mismatches);
  }
}
