package online.hypermesh.protocol.consensus.bft;

import java.security.PrivateKey;
import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;

/** The production {@link Signer}: FALCON-1024. */
public final class FalconSigner implements Signer {

  private final PrivateKey key;

  public FalconSigner(PrivateKey key) {
    if (!Falcon.isFalcon1024(key)) {
      throw new IllegalArgumentException("not a FALCON-1024 private key");
    }
    this.key = Objects.requireNonNull(key);
  }

  @Override
  public byte[] sign(byte[] message) {
    return Falcon.sign(key, message);
  }
}
