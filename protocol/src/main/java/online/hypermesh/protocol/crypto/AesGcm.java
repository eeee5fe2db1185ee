package online.hypermesh.protocol.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a fixed key, 96-bit nonces and 128-bit tags, through the JDK's provider (it
 * uses the CPU's AES and carry-less multiply instructions). Not thread-safe is not an issue: each
 * call builds its own {@link Cipher}; the caller is responsible for never using a nonce twice
 * with the same key.
 */
public final class AesGcm {

  public static final int KEY_BYTES = 32;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private final SecretKeySpec key;

  public AesGcm(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("AES-256 key must be 32 bytes: " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** Encrypts {@code plaintext[offset, offset+length)}; returns ciphertext followed by the tag. */
  public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int offset, int length) {
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce);
      cipher.updateAAD(aad);
      return cipher.doFinal(plaintext, offset, length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts and authenticates {@code sealed[offset, offset+length)} (ciphertext + tag).
   *
   * @throws AEADBadTagException when the tag does not match (tampered, wrong key/nonce/aad, or too
   *     short to hold a tag)
   */
  public byte[] open(byte[] nonce, byte[] aad, byte[] sealed, int offset, int length)
      throws AEADBadTagException {
    if (length < TAG_BYTES) {
      throw new AEADBadTagException("sealed payload of " + length + " bytes has no room for a tag");
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce);
      cipher.updateAAD(aad);
      return cipher.doFinal(sealed, offset, length);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("GCM nonce must be 12 bytes: " + nonce.length);
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
    return cipher;
  }
}
