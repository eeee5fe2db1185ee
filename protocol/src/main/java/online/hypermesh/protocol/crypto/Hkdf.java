package online.hypermesh.protocol.crypto;

import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF (RFC 5869) with SHA-512, Bouncy Castle's {@link HKDFBytesGenerator}. */
public final class Hkdf {

  /** RFC 5869: at most 255 hash lengths of output. */
  public static final int MAX_OUTPUT_BYTES = 255 * 64;

  private Hkdf() {}

  /** Extract-then-expand: {@code length} bytes of key material. */
  public static byte[] sha512(byte[] salt, byte[] inputKeyMaterial, byte[] info, int length) {
    Objects.requireNonNull(inputKeyMaterial, "inputKeyMaterial");
    if (length < 1 || length > MAX_OUTPUT_BYTES) {
      throw new IllegalArgumentException("HKDF output length must be 1.." + MAX_OUTPUT_BYTES);
    }
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA512Digest());
    generator.init(new HKDFParameters(inputKeyMaterial, salt, info));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }
}
