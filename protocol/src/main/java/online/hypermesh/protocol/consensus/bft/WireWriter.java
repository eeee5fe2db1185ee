package online.hypermesh.protocol.consensus.bft;

import java.util.Arrays;

/** Big-endian, length-prefixed canonical encoding: one byte string per value, no choices. */
final class WireWriter {

  private byte[] buf = new byte[256];
  private int len;

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  WireWriter u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  WireWriter u16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  WireWriter u32(int v) {
    ensure(4);
    for (int s = 24; s >= 0; s -= 8) {
      buf[len++] = (byte) (v >>> s);
    }
    return this;
  }

  WireWriter i64(long v) {
    ensure(8);
    for (int s = 56; s >= 0; s -= 8) {
      buf[len++] = (byte) (v >>> s);
    }
    return this;
  }

  WireWriter digest(Digest d) {
    return raw(d.raw());
  }

  WireWriter raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  /** A u32 length then the bytes. */
  WireWriter bytes(byte[] b) {
    return u32(b.length).raw(b);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }
}
