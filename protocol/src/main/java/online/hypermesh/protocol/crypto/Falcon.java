package online.hypermesh.protocol.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import org.bouncycastle.pqc.jcajce.spec.FalconParameterSpec;

/**
 * FALCON-1024 (NIST level 5 lattice signatures) through Bouncy Castle's JCA provider.
 *
 * <p>Sizes: public key 1793 bytes raw (X.509 SubjectPublicKeyInfo about 1.8 KB), signatures are
 * variable length, at most {@link #MAX_SIGNATURE_BYTES}. Bouncy Castle's algorithm OID for Falcon
 * is an experimental one (1.3.9999.3.14): other stacks parse but cannot verify these
 * signatures.
 */
public final class Falcon {

  public static final String ALGORITHM = "FALCON-1024";
  /** Falcon-1024 compressed signatures are at most 1462 bytes (spec, table 3.3). */
  public static final int MAX_SIGNATURE_BYTES = 1462;

  private Falcon() {}

  public static KeyPair generateKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("FALCON", Pq.BC);
      generator.initialize(FalconParameterSpec.falcon_1024, Pq.RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("FALCON-1024 is not available from Bouncy Castle", e);
    }
  }

  /** Whether {@code key} is a FALCON-1024 key (public or private). */
  public static boolean isFalcon1024(java.security.Key key) {
    return key != null && ALGORITHM.equalsIgnoreCase(key.getAlgorithm());
  }

  /**
   * Signs the concatenation of {@code parts}.
   *
   * @throws IllegalArgumentException if the key is not a FALCON-1024 private key
   */
  public static byte[] sign(PrivateKey key, byte[]... parts) {
    if (!isFalcon1024(key)) {
      throw new IllegalArgumentException("not a FALCON-1024 private key: " + algorithmOf(key));
    }
    try {
      Signature signature = Signature.getInstance(ALGORITHM, Pq.BC);
      signature.initSign(key, Pq.RANDOM);
      for (byte[] part : parts) {
        signature.update(part);
      }
      return signature.sign();
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("unusable FALCON-1024 key: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("FALCON-1024 signing failed", e);
    }
  }

  /**
   * Verifies a signature over the concatenation of {@code parts}. Returns false (never throws)
   * for a wrong key type, a malformed signature or a signature that does not verify.
   */
  public static boolean verify(PublicKey key, byte[] signatureBytes, byte[]... parts) {
    if (!isFalcon1024(key) || signatureBytes == null || signatureBytes.length == 0
        || signatureBytes.length > MAX_SIGNATURE_BYTES) {
      return false;
    }
    try {
      Signature signature = Signature.getInstance(ALGORITHM, Pq.BC);
      signature.initVerify(key);
      for (byte[] part : parts) {
        signature.update(part);
      }
      return signature.verify(signatureBytes);
    } catch (SignatureException | InvalidKeyException | RuntimeException e) {
      // Bouncy Castle reports some malformed encodings as runtime exceptions.
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("FALCON-1024 verification unavailable", e);
    }
  }

  private static String algorithmOf(java.security.Key key) {
    return key == null ? "null" : key.getAlgorithm();
  }
}
