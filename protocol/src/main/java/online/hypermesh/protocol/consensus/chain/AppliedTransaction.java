package online.hypermesh.protocol.consensus.chain;

import java.util.Objects;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.Transaction;

/**
 * A committed transaction as {@link ChainState#apply} applied it, in chain order: what layer
 * entities (assets, certificates, tokens) act on, exactly once each.
 *
 * @param height the block's height
 * @param index the transaction's position in its block
 * @param blockId the block's id
 * @param id the transaction id (its digest)
 * @param transaction the decoded envelope; its payload is opaque to the chain, except a
 *     Caesar payload, which the chain's CAES ledger applies ({@link CaesarState})
 * @param failure why a committed Caesar transaction changed nothing ({@code REJECTION: detail},
 *     the same on every node), or "" (applied, or not a Caesar kind)
 */
public record AppliedTransaction(
    long height, int index, Digest blockId, Digest id, Transaction transaction, String failure) {

  public AppliedTransaction {
    Objects.requireNonNull(blockId, "blockId");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(failure, "failure");
  }

  public AppliedTransaction(
      long height, int index, Digest blockId, Digest id, Transaction transaction) {
    this(height, index, blockId, id, transaction, "");
  }
}
