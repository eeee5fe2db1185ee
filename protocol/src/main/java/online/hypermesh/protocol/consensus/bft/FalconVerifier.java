package online.hypermesh.protocol.consensus.bft;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.ConcurrentHashMap;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Pq;

/**
 * The production {@link SignatureVerifier}: FALCON-1024 public keys in X.509
 * SubjectPublicKeyInfo encoding ({@code PublicKey.getEncoded()}). Decoded keys are cached because
 * the validator set is small and decoding costs about as much as a verification.
 */
public final class FalconVerifier implements SignatureVerifier {

  private final ConcurrentHashMap<Digest, PublicKey> keys = new ConcurrentHashMap<>();

  @Override
  public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null || message == null || signature == null) {
      return false;
    }
    PublicKey key = keys.computeIfAbsent(Digest.sha256(publicKey), d -> decode(publicKey));
    return key != null && Falcon.verify(key, signature, message);
  }

  /** Whether {@code encoded} is a FALCON-1024 public key in X.509 encoding. */
  public static boolean isFalcon1024Key(byte[] encoded) {
    return encoded != null && decode(encoded) != null;
  }

  private static PublicKey decode(byte[] encoded) {
    try {
      PublicKey key =
          KeyFactory.getInstance("FALCON", Pq.BC).generatePublic(new X509EncodedKeySpec(encoded));
      return Falcon.isFalcon1024(key) ? key : null;
    } catch (Exception e) {
      // A malformed key in a validator set only makes that validator's signatures unverifiable.
      return null;
    }
  }
}
