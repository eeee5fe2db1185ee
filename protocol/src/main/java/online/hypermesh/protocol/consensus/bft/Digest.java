package online.hypermesh.protocol.consensus.bft;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** A 32-byte SHA-256 value: block ids, transaction ids, chain ids. Immutable, compared by value. */
public final class Digest implements Comparable<Digest> {

  public static final int LENGTH = 32;
  public static final Digest ZERO = new Digest(new byte[LENGTH]);

  private final byte[] bytes;
  private final int hash;

  private Digest(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** Wraps a copy of exactly 32 bytes. */
  public static Digest of(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("a digest is " + LENGTH + " bytes");
    }
    return new Digest(bytes.clone());
  }

  static Digest wrap(byte[] bytes) {
    return new Digest(bytes);
  }

  /** SHA-256 over the concatenation of {@code parts}. */
  public static Digest sha256(byte[]... parts) {
    MessageDigest md = sha256();
    for (byte[] part : parts) {
      md.update(part);
    }
    return new Digest(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] raw() {
    return bytes;
  }

  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && hash == d.hash && Arrays.equals(bytes, d.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(Digest o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return hex().substring(0, 12);
  }
}
