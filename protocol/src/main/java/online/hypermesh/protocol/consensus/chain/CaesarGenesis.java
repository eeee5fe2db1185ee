package online.hypermesh.protocol.consensus.chain;

import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import online.hypermesh.protocol.caesar.BlockTime;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.Accounts;

/**
 * The CAES part of a chain's genesis: the token parameters, the liquid balances and bonded
 * stakes by account (lowercase hex of {@link Accounts#id}), and the reward pool. Their sum is the
 * genesis supply, which must fit 2^63 - 1 minor units. With it, bonded stake is CAES stake and
 * PoStake reads it from the ledger; the minimum is still {@code ChainParameters.minStake}.
 *
 * <p>{@code bridgeAdmin} is the account (lowercase hex) whose owner may register bridges to other
 * chains (a BRIDGE_REGISTER transaction it signs), or "" when this chain registers none. One key
 * decides which remote validator sets this chain trusts: a single point of trust, stated plainly;
 * a quorum of this chain's validators would be the decentralized rule.
 */
public record CaesarGenesis(
    CaesarParameters parameters,
    Map<String, Long> balances,
    Map<String, Long> bonded,
    long rewardPool,
    String bridgeAdmin) {

  /** A genesis whose chain cannot register bridges (no bridge admin). */
  public CaesarGenesis(CaesarParameters parameters, Map<String, Long> balances,
      Map<String, Long> bonded, long rewardPool) {
    this(parameters, balances, bonded, rewardPool, "");
  }

  public CaesarGenesis {
    Objects.requireNonNull(bridgeAdmin, "caesar bridge admin (\"\" for none)");
    if (!bridgeAdmin.isEmpty() && !Genesis.isAccountId(bridgeAdmin)) {
      throw new IllegalArgumentException("caesar bridge-admin '" + bridgeAdmin
          + "' is not an account id (" + 2 * Accounts.ID_BYTES + " lowercase hex characters)");
    }
    Objects.requireNonNull(parameters, "caesar parameters");
    balances = sorted(Objects.requireNonNull(balances, "caesar balances"), "balance");
    bonded = sorted(Objects.requireNonNull(bonded, "caesar bonded"), "bonded stake");
    if (rewardPool < 0) {
      throw new IllegalArgumentException("caesar reward pool must be >= 0, not " + rewardPool);
    }
    ledgerGenesis(balances, bonded, rewardPool, 0);
  }

  /** Balances + bonded + reward pool. */
  public long supply() {
    return ledgerGenesis(0).supply();
  }

  /** The ledger's genesis, its clock at the chain's genesis block (height 0). */
  public online.hypermesh.protocol.caesar.Genesis ledgerGenesis(long genesisTimeMillis) {
    return ledgerGenesis(balances, bonded, rewardPool, genesisTimeMillis);
  }

  private static online.hypermesh.protocol.caesar.Genesis ledgerGenesis(Map<String, Long> balances,
      Map<String, Long> bonded, long rewardPool, long genesisTimeMillis) {
    return new online.hypermesh.protocol.caesar.Genesis(digests(balances), digests(bonded),
        rewardPool, new BlockTime(0, genesisTimeMillis));
  }

  private static Map<Digest, Long> digests(Map<String, Long> byHex) {
    Map<Digest, Long> out = new TreeMap<>();
    byHex.forEach((k, v) -> out.put(Digest.of(HexFormat.of().parseHex(k)), v));
    return out;
  }

  private static SortedMap<String, Long> sorted(Map<String, Long> entries, String what) {
    TreeMap<String, Long> copy = new TreeMap<>();
    for (Map.Entry<String, Long> e : entries.entrySet()) {
      if (!Genesis.isAccountId(e.getKey())) {
        throw new IllegalArgumentException("caesar " + what + " key '" + e.getKey()
            + "' is not an account id (" + 2 * Accounts.ID_BYTES + " lowercase hex characters)");
      }
      if (e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException(
            "caesar " + what + " of " + e.getKey() + " must be >= 0, not " + e.getValue());
      }
      copy.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableSortedMap(copy);
  }
}
