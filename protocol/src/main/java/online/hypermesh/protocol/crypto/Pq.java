package online.hypermesh.protocol.crypto;

import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle provider instance the crypto package uses. It is passed explicitly to every
 * JCA call and never registered globally, so this package does not change the JVM's provider list
 * (other code keeps its own provider choices).
 */
public final class Pq {

  /** Plain "BC": has FALCON-512/1024 and ML-KEM in Bouncy Castle 1.87. */
  public static final Provider BC = new BouncyCastleProvider();

  static final SecureRandom RANDOM = new SecureRandom();

  private Pq() {}

  /** {@code n} bytes from a shared {@link SecureRandom}. */
  public static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
