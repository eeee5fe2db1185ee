package online.hypermesh.protocol.caesar;

import online.hypermesh.protocol.consensus.bft.EpochChange;
import java.util.Optional;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;

/**
 * Remote bodies as consensus envelopes: a Caesar payload under the kind {@link
 * CaesarCodec#kindOf} gives it, a validator-set change under VALIDATOR_SET_CHANGE with an {@link
 * EpochChange} payload. Anything else is not for the bridge.
 */
public final class EnvelopeReader implements RemoteReader {

  @Override
  public Optional<CaesarTransaction> caesar(byte[] body) {
    return envelope(body).flatMap(tx -> {
      if (tx.kind() == TransactionKind.VALIDATOR_SET_CHANGE) {
        return Optional.empty();
      }
      if (CaesarCodec.decode(tx.payload()) instanceof CaesarCodec.Valid v
          && CaesarCodec.kindOf(v.transaction()) == tx.kind()) {
        return Optional.of(v.transaction());
      }
      return Optional.empty();
    });
  }

  @Override
  public Optional<EpochChange> validatorSetChange(byte[] body) {
    return envelope(body)
        .filter(tx -> tx.kind() == TransactionKind.VALIDATOR_SET_CHANGE)
        .flatMap(tx -> EpochChange.decode(tx.payload()));
  }

  private static Optional<Transaction> envelope(byte[] body) {
    return TransactionCodec.decode(body) instanceof TransactionCodec.Valid v
        ? Optional.of(v.transaction()) : Optional.empty();
  }
}
