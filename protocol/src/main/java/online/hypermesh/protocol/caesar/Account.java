package online.hypermesh.protocol.caesar;

import java.util.ArrayDeque;

/**
 * One account's mutable state, owned by its {@link Ledger}. {@code balance} is as of {@code
 * touchedMillis}; unbonding entries are in release order because heights never go back.
 */
final class Account {

  long balance;
  long touchedMillis;
  long nonce;
  long bonded;
  long unbonding;
  final ArrayDeque<Unbonding> unbondings = new ArrayDeque<>();

  Account(long touchedMillis) {
    this.touchedMillis = touchedMillis;
  }
}
