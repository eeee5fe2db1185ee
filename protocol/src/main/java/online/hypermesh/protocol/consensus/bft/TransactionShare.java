package online.hypermesh.protocol.consensus.bft;

import java.util.ArrayList;
import java.util.List;

/**
 * Transactions a validator received from its own submitters, passed on to the others' pools. A
 * validator proposes only from its pool, and its blocks are certified only if the next round's
 * leader collects the votes; without sharing, a transaction submitted to the validator before a
 * crashed one would wait for that one to return. Unsigned: every proposer re-checks each
 * transaction's proofs before it orders it, and a pool is bounded.
 */
public record TransactionShare(List<Transaction> transactions) implements ConsensusMessage {

  public TransactionShare {
    transactions = List.copyOf(transactions);
  }

  void encode(WireWriter w) {
    w.u32(transactions.size());
    for (Transaction tx : transactions) {
      w.digest(tx.id()).bytes(tx.body());
    }
  }

  static TransactionShare decode(WireReader r) {
    long count = r.u32("transaction count");
    if (count > Codec.MAX_TRANSACTIONS) {
      throw new WireReader.Malformed("transaction share with " + count + " transactions");
    }
    List<Transaction> txs = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      txs.add(new Transaction(r.digest("transaction id"), r.bytes("transaction", Codec.MAX_TRANSACTION_BYTES)));
    }
    return new TransactionShare(txs);
  }
}
