package online.hypermesh.protocol.caesar;

import java.math.BigInteger;

/**
 * The conservation breakdown as of {@code asOfMillis}, summed from the accounts (balances with
 * demurrage applied; the decay not yet collected is counted in the reward pool, where it goes).
 * The law: balances + rewardPool + bonded + unbonding + bridgedOut = genesis + bridgedIn, where
 * bridgedOut is what left for other chains (locked here) and bridgedIn what arrived from them
 * (minted here) and is still here. With no bridge traffic it reads sum = genesis supply.
 */
public record Supply(
    long asOfMillis,
    long genesis,
    long balances,
    long rewardPool,
    long bonded,
    long unbonding,
    long bridgedOut,
    long bridgedIn) {

  /** Whether the law holds, computed without overflow. */
  public boolean holds() {
    BigInteger held = BigInteger.valueOf(balances).add(BigInteger.valueOf(rewardPool))
        .add(BigInteger.valueOf(bonded)).add(BigInteger.valueOf(unbonding))
        .add(BigInteger.valueOf(bridgedOut));
    return held.equals(BigInteger.valueOf(genesis).add(BigInteger.valueOf(bridgedIn)));
  }
}
