package online.hypermesh.protocol.crypto;

import java.util.Objects;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;

/**
 * ML-KEM-1024 (FIPS 203, NIST level 5) with Bouncy Castle's lightweight API: ephemeral key pairs,
 * encapsulation to a raw public key, decapsulation. Keys travel as raw FIPS 203 encodings
 * ({@link #PUBLIC_KEY_BYTES} and {@link #CIPHERTEXT_BYTES} bytes), not X.509 structures.
 */
public final class MlKem {

  public static final int PUBLIC_KEY_BYTES = 1568;
  public static final int CIPHERTEXT_BYTES = 1568;
  public static final int SHARED_SECRET_BYTES = 32;

  private MlKem() {}

  /** An ephemeral key pair; the private half never leaves this object. */
  public static final class KeyPair {
    private final MLKEMPrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private KeyPair(MLKEMPrivateKeyParameters privateKey, byte[] publicKey) {
      this.privateKey = privateKey;
      this.publicKey = publicKey;
    }

    /** The raw encoded public key ({@link #PUBLIC_KEY_BYTES} bytes), a copy. */
    public byte[] publicKey() {
      return publicKey.clone();
    }

    /**
     * Recovers the shared secret from a ciphertext. ML-KEM decapsulation never reports a bad
     * ciphertext (implicit rejection): a tampered one yields a different, unrelated secret, which
     * then fails the key confirmation of the protocol using it.
     *
     * @throws IllegalArgumentException if the ciphertext has the wrong length
     */
    public byte[] decapsulate(byte[] ciphertext) {
      Objects.requireNonNull(ciphertext, "ciphertext");
      if (ciphertext.length != CIPHERTEXT_BYTES) {
        throw new IllegalArgumentException(
            "ML-KEM-1024 ciphertext must be " + CIPHERTEXT_BYTES + " bytes: " + ciphertext.length);
      }
      return new MLKEMExtractor(privateKey).extractSecret(ciphertext);
    }
  }

  /** A shared secret and the ciphertext that carries it to the key pair's owner. */
  public record Encapsulation(byte[] sharedSecret, byte[] ciphertext) {
    @Override
    public String toString() {
      return "Encapsulation[ciphertext=" + ciphertext.length + " bytes]";
    }
  }

  public static KeyPair generateKeyPair() {
    MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
    generator.init(new MLKEMKeyGenerationParameters(Pq.RANDOM, MLKEMParameters.ml_kem_1024));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    return new KeyPair(
        (MLKEMPrivateKeyParameters) pair.getPrivate(),
        ((MLKEMPublicKeyParameters) pair.getPublic()).getEncoded());
  }

  /**
   * Encapsulates a fresh shared secret to a raw ML-KEM-1024 public key.
   *
   * @throws IllegalArgumentException when the key has the wrong length or fails the FIPS 203
   *     encapsulation-key check
   */
  public static Encapsulation encapsulate(byte[] publicKey) {
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length != PUBLIC_KEY_BYTES) {
      throw new IllegalArgumentException(
          "ML-KEM-1024 public key must be " + PUBLIC_KEY_BYTES + " bytes: " + publicKey.length);
    }
    try {
      MLKEMPublicKeyParameters key =
          new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_1024, publicKey);
      SecretWithEncapsulation result = new MLKEMGenerator(Pq.RANDOM).generateEncapsulated(key);
      byte[] secret = result.getSecret();
      byte[] ciphertext = result.getEncapsulation();
      return new Encapsulation(secret, ciphertext);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException("unusable ML-KEM-1024 public key: " + e.getMessage(), e);
    }
  }
}
