package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * PoStake's own bytes: the sender's FALCON-1024 signature over {@link
 * TransactionDigest#signedBytes} (excluded from the digest, which it signs). The rest of PoStake
 * is the certificate chain in the envelope and the bonded stake in the committed state.
 */
public record StakeProof(byte[] signature) {

  public StakeProof {
    Objects.requireNonNull(signature, "signature");
    if (signature.length == 0 || signature.length > Falcon.MAX_SIGNATURE_BYTES) {
      throw new IllegalArgumentException(
          "signature must be 1.." + Falcon.MAX_SIGNATURE_BYTES + " bytes, not " + signature.length);
    }
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }
}
