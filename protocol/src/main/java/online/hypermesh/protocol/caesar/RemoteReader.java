package online.hypermesh.protocol.caesar;

import java.util.List;
import java.util.Optional;

/**
 * Reads what the bridge needs from a remote transaction's body. {@link EnvelopeReader} is the
 * production reader (bodies are {@code proof.TransactionCodec} envelopes).
 */
public interface RemoteReader {

  /** The Caesar payload carried by the body, if it is one. */
  Optional<CaesarTransaction> caesar(byte[] body);

  /** The new validator keys, if the body is a validator-set change. */
  Optional<List<byte[]>> validatorSetChange(byte[] body);
}
