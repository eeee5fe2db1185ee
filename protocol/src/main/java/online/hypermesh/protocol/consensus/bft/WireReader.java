package online.hypermesh.protocol.consensus.bft;

/**
 * Reads what {@link WireWriter} wrote, checking every length against a limit and against the
 * bytes left, so a hostile length never allocates more than the message holds.
 */
final class WireReader {

  /** Internal signal for malformed input; {@link Codec} turns it into a refusal with a reason. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String reason) {
      super(reason, null, false, false);
    }
  }

  private final byte[] buf;
  private int pos;

  WireReader(byte[] buf) {
    this.buf = buf;
  }

  private void need(int n, String what) {
    if (n < 0 || buf.length - pos < n) {
      throw new Malformed("truncated " + what);
    }
  }

  int u8(String what) {
    need(1, what);
    return buf[pos++] & 0xff;
  }

  int u16(String what) {
    need(2, what);
    int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  long u32(String what) {
    need(4, what);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (buf[pos++] & 0xff);
    }
    return v;
  }

  long i64(String what) {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xff);
    }
    return v;
  }

  /** A round or height: never negative on the wire. */
  long counter(String what) {
    long v = i64(what);
    if (v < 0) {
      throw new Malformed("negative " + what);
    }
    return v;
  }

  Digest digest(String what) {
    need(Digest.LENGTH, what);
    byte[] b = new byte[Digest.LENGTH];
    System.arraycopy(buf, pos, b, 0, b.length);
    pos += b.length;
    return Digest.wrap(b);
  }

  byte[] bytes(String what, int max) {
    long n = u32(what + " length");
    if (n > max) {
      throw new Malformed(what + " of " + n + " bytes exceeds " + max);
    }
    need((int) n, what);
    byte[] b = new byte[(int) n];
    System.arraycopy(buf, pos, b, 0, b.length);
    pos += b.length;
    return b;
  }

  boolean flag(String what) {
    int v = u8(what);
    if (v > 1) {
      throw new Malformed("bad " + what + " flag " + v);
    }
    return v == 1;
  }

  void end() {
    if (pos != buf.length) {
      throw new Malformed((buf.length - pos) + " trailing bytes");
    }
  }
}
