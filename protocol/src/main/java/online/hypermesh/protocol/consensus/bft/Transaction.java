package online.hypermesh.protocol.consensus.bft;

/**
 * An opaque transaction: consensus orders it and asks a {@link TransactionValidator} about it,
 * never looks inside. The id is the sender's digest of the transaction; arrays are not copied, so
 * callers must not mutate the body after handing it over.
 */
public record Transaction(Digest id, byte[] body) {

  public Transaction {
    if (id == null || body == null) {
      throw new IllegalArgumentException("transaction id and body are required");
    }
  }
}
