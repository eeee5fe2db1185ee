package online.hypermesh.protocol.caesar;

import online.hypermesh.protocol.consensus.bft.EpochChange;
import java.util.Optional;

/**
 * Reads what the bridge needs from a remote transaction's body. {@link EnvelopeReader} is the
 * production reader (bodies are {@code proof.TransactionCodec} envelopes).
 */
public interface RemoteReader {

  /** The Caesar payload carried by the body, if it is one. */
  Optional<CaesarTransaction> caesar(byte[] body);

  /**
   * The validator-set change (new keys and the authorizing signatures), if the body is one; its
   * authorization is checked by the caller against the set in force.
   */
  Optional<EpochChange> validatorSetChange(byte[] body);
}
