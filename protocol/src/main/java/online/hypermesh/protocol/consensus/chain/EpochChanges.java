package online.hypermesh.protocol.consensus.chain;

import java.util.Optional;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.EpochBoundary;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.SignatureVerifier;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;

/**
 * Which block ends an epoch: the first transaction of the block that is a VALIDATOR_SET_CHANGE
 * envelope whose payload is an {@link EpochChange} authorized by a quorum of the set in force. One
 * function of the block and the set, used both by the validators' {@link
 * online.hypermesh.protocol.consensus.bft.BftCore} ({@link #boundary}) and by {@link ChainState}, so
 * every validator and every node replaying the chain switches at the same block. It looks at the
 * envelope only (not at the id check or duplicate rule that {@link ChainState} applies to
 * transactions): the boundary must not depend on anything but the block's bytes.
 */
public final class EpochChanges {

  private EpochChanges() {}

  /** The change that {@code block} makes to {@code current}, if it holds a valid one. */
  public static Optional<EpochChange> find(Block block, ValidatorSet current,
      SignatureVerifier verifier) {
    return findTransaction(block, current, verifier).flatMap(tx ->
        TransactionCodec.decode(tx.body()) instanceof TransactionCodec.Valid v
            ? EpochChange.decode(v.transaction().payload()) : Optional.empty());
  }

  /** The transaction of {@code block} that changes {@code current}, if it holds a valid one. */
  public static Optional<online.hypermesh.protocol.consensus.bft.Transaction> findTransaction(
      Block block, ValidatorSet current, SignatureVerifier verifier) {
    for (online.hypermesh.protocol.consensus.bft.Transaction tx : block.transactions()) {
      if (TransactionCodec.decode(tx.body()) instanceof TransactionCodec.Valid v
          && v.transaction().kind() == TransactionKind.VALIDATOR_SET_CHANGE
          && EpochChange.verifyPayload(v.transaction().payload(), current, verifier).accepted()) {
        return Optional.of(tx);
      }
    }
    return Optional.empty();
  }

  /** The boundary of {@code current}'s epoch, for its validators' consensus cores. */
  public static EpochBoundary boundary(ValidatorSet current, SignatureVerifier verifier) {
    return block -> find(block, current, verifier).isPresent();
  }
}
