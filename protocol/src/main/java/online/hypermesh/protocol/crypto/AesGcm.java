package online.hypermesh.protocol.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a fixed key, 96-bit nonces and 128-bit tags, through the JDK's provider (it
 * uses the CPU's AES and carry-less multiply instructions). The caller is responsible for never
 * using a nonce twice with the same key.
 *
 * <p>Two APIs:
 *
 * <ul>
 *   <li>{@link #seal(byte[], byte[], byte[], int, int)}/{@link #open(byte[], byte[], byte[], int,
 *       int)}: byte arrays in and out, a new {@link Cipher} per call (handshake messages, tests).
 *   <li>{@link #seal(byte[], byte[], ByteBuffer, ByteBuffer)}/{@link #open(byte[], byte[],
 *       ByteBuffer, ByteBuffer)}: between {@link ByteBuffer}s (heap or direct), no intermediate
 *       arrays, and one cached {@link Cipher} per mode and instance, re-initialised per call with
 *       the new nonce (the expensive {@code Cipher.getInstance} and key expansion happen once).
 *       Thread-safe (the cached cipher is used under a lock; STOQ uses one instance per connection
 *       direction from one event loop, so the lock is uncontended).
 * </ul>
 *
 * <p>Performance notes for JDK 17 (measured with {@code AesGcmBenchmark}/{@code SealBenchmark} in
 * the bench module): the GCM intrinsics (AES-CTR, GHASH, and the AVX-512/VAES combined stub) only
 * run from JIT-compiled code. A {@code byte[]} {@code doFinal} of a large payload is one call, so
 * with 512 KiB - 1 MiB frames the provider's methods are invoked a few hundred times a second and
 * stay interpreted for tens of seconds (~20-50 ms per MiB); {@link ByteBuffer} calls with a
 * direct buffer on either side are processed in small chunks, whose methods compile within the
 * first frames (~0.5 ms per MiB seal + open). Two <em>direct</em> buffers that share one backing
 * allocation (two slices of one Netty pool chunk) are treated as possibly overlapping when the
 * source lies below the output, and the provider then allocates a heap copy of the whole output:
 * pass one heap and one direct buffer, or buffers from different allocations.
 */
public final class AesGcm {

  public static final int KEY_BYTES = 32;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private final SecretKeySpec key;
  private Cipher encryptor;
  private Cipher decryptor;

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

  /**
   * Encrypts the remaining bytes of {@code plaintext} into {@code out} (ciphertext followed by the
   * tag: {@code plaintext.remaining() + TAG_BYTES} bytes). Advances both buffers' positions. The
   * buffers must not overlap.
   *
   * @return the number of bytes written to {@code out}
   * @throws IllegalArgumentException when {@code out} has too little room
   */
  public int seal(byte[] nonce, byte[] aad, ByteBuffer plaintext, ByteBuffer out) {
    checkNonce(nonce);
    int needed = plaintext.remaining() + TAG_BYTES;
    if (out.remaining() < needed) {
      throw new IllegalArgumentException(
          "output has room for " + out.remaining() + " bytes, sealing needs " + needed);
    }
    synchronized (this) {
      try {
        if (encryptor == null) {
          encryptor = Cipher.getInstance("AES/GCM/NoPadding");
        }
        // A new nonce per call; re-init with a repeated nonce is refused by the JDK.
        encryptor.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        encryptor.updateAAD(aad);
        return encryptor.doFinal(plaintext, out);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM encryption failed", e);
      }
    }
  }

  /**
   * Decrypts and authenticates the remaining bytes of {@code sealed} (ciphertext + tag) into
   * {@code out} ({@code sealed.remaining() - TAG_BYTES} bytes). Advances both buffers' positions.
   * The buffers must not overlap. Nothing of the plaintext is meaningful when this throws.
   *
   * @return the number of bytes written to {@code out}
   * @throws AEADBadTagException when the tag does not match or {@code sealed} is shorter than a
   *     tag
   */
  public int open(byte[] nonce, byte[] aad, ByteBuffer sealed, ByteBuffer out)
      throws AEADBadTagException {
    checkNonce(nonce);
    int length = sealed.remaining();
    if (length < TAG_BYTES) {
      throw new AEADBadTagException("sealed payload of " + length + " bytes has no room for a tag");
    }
    if (out.remaining() < length - TAG_BYTES) {
      throw new IllegalArgumentException(
          "output has room for " + out.remaining() + " bytes, opening needs " + (length - TAG_BYTES));
    }
    synchronized (this) {
      try {
        if (decryptor == null) {
          decryptor = Cipher.getInstance("AES/GCM/NoPadding");
        }
        decryptor.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        decryptor.updateAAD(aad);
        return decryptor.doFinal(sealed, out);
      } catch (AEADBadTagException e) {
        throw e;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM decryption failed", e);
      }
    }
  }

  private static void checkNonce(byte[] nonce) {
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("GCM nonce must be 12 bytes: " + nonce.length);
    }
  }

  private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
    checkNonce(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
    return cipher;
  }
}
