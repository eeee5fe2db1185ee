package online.hypermesh.protocol.caesar;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.consensus.bft.Codec;

/**
 * The payload the bridge expects in a VALIDATOR_SET_CHANGE transaction: the new set's public keys
 * in index order ({@code u16 count (1..1024)}, each {@code u16 length (1..4096)} and the X.509
 * encoding). Consensus has not fixed this payload yet; it must agree with this one or replace it.
 */
public final class ValidatorSetChange {

  public static final int MAX_KEY_BYTES = 4096;

  private ValidatorSetChange() {}

  public static byte[] encode(List<byte[]> keys) {
    if (keys.isEmpty() || keys.size() > Codec.MAX_VALIDATORS) {
      throw new IllegalArgumentException("validator count " + keys.size() + " out of range");
    }
    int size = 2;
    for (byte[] k : keys) {
      if (k.length == 0 || k.length > MAX_KEY_BYTES) {
        throw new IllegalArgumentException("key of " + k.length + " bytes");
      }
      size += 2 + k.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putShort((short) keys.size());
    for (byte[] k : keys) {
      out.putShort((short) k.length).put(k);
    }
    return out.array();
  }

  /** The keys, or empty for anything but exactly one valid encoding. */
  public static Optional<List<byte[]>> decode(byte[] payload) {
    try {
      ByteBuffer in = ByteBuffer.wrap(payload);
      int count = in.getShort() & 0xffff;
      if (count == 0 || count > Codec.MAX_VALIDATORS) {
        return Optional.empty();
      }
      List<byte[]> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int n = in.getShort() & 0xffff;
        if (n == 0 || n > MAX_KEY_BYTES || n > in.remaining()) {
          return Optional.empty();
        }
        byte[] k = new byte[n];
        in.get(k);
        keys.add(k);
      }
      return in.hasRemaining() ? Optional.empty() : Optional.of(keys);
    } catch (BufferUnderflowException e) {
      return Optional.empty();
    }
  }
}
