package online.hypermesh.protocol.hypermesh;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The payload of an ASSET_REGISTRATION transaction. Big-endian; every string is strict UTF-8
 * with a one-byte length checked against its bound before it is read; no bytes may follow the
 * end, so a registration has exactly one encoding. Decoding never throws: bytes that are not a
 * registration (any {@code chain submit} payload, a forged one) come back as {@link Malformed}
 * with the reason, and the transaction is refused when applied.
 *
 * <pre>
 * u8  version = 1
 * u8  asset id length (1..128), asset id
 * u8  type length (1..32), type (wire name: cpu, gpu, ...)
 * u64 capacity
 * u8  owner length (1..128), owner
 * u8  privacy length (1..32), privacy (wire name)
 * u8  requester length (0..255), requester (the client's certificate CN; may be empty)
 * </pre>
 */
public final class AssetRegistrationCodec {

  public static final int VERSION = 1;
  public static final int MAX_ID = 128;
  public static final int MAX_NAME = 32;
  public static final int MAX_OWNER = 128;
  public static final int MAX_REQUESTER = 255;

  private AssetRegistrationCodec() {}

  public sealed interface Decoded permits Valid, Malformed {}

  public record Valid(AssetRegistration registration) implements Decoded {}

  public record Malformed(String reason) implements Decoded {}

  /** @throws IllegalArgumentException if a field is longer than its bound or empty where it may not be */
  public static byte[] encode(AssetRegistration r) {
    byte[] id = utf8(r.assetId(), "asset id", 1, MAX_ID);
    byte[] type = utf8(r.type(), "type", 1, MAX_NAME);
    byte[] owner = utf8(r.owner(), "owner", 1, MAX_OWNER);
    byte[] privacy = utf8(r.privacy(), "privacy", 1, MAX_NAME);
    byte[] requester = utf8(r.requester(), "requester", 0, MAX_REQUESTER);
    ByteBuffer out = ByteBuffer.allocate(1 + 1 + id.length + 1 + type.length + 8 + 1
        + owner.length + 1 + privacy.length + 1 + requester.length);
    out.put((byte) VERSION);
    put(out, id);
    put(out, type);
    out.putLong(r.capacity());
    put(out, owner);
    put(out, privacy);
    put(out, requester);
    return out.array();
  }

  public static Decoded decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return new Malformed("empty payload");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int version = Byte.toUnsignedInt(in.get());
      if (version != VERSION) {
        return new Malformed("unknown asset registration version " + version + " (expected "
            + VERSION + ")");
      }
      String id = string(in, "asset id", 1, MAX_ID);
      String type = string(in, "type", 1, MAX_NAME);
      long capacity = in.getLong();
      String owner = string(in, "owner", 1, MAX_OWNER);
      String privacy = string(in, "privacy", 1, MAX_NAME);
      String requester = string(in, "requester", 0, MAX_REQUESTER);
      if (in.hasRemaining()) {
        return new Malformed(in.remaining() + " bytes after the end of the registration");
      }
      return new Valid(new AssetRegistration(id, type, capacity, owner, privacy, requester));
    } catch (BufferUnderflowException e) {
      return new Malformed("truncated: " + bytes.length + " bytes end inside a field");
    } catch (FieldException e) {
      return new Malformed(e.getMessage());
    }
  }

  private static String string(ByteBuffer in, String field, int min, int max) {
    int length = Byte.toUnsignedInt(in.get());
    if (length < min || length > max) {
      throw new FieldException(field + " length " + length + " is outside " + min + ".." + max);
    }
    if (in.remaining() < length) {
      throw new FieldException(field + " of " + length + " bytes is truncated to "
          + in.remaining());
    }
    ByteBuffer slice = in.slice(in.position(), length);
    in.position(in.position() + length);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new FieldException(field + " is not valid UTF-8");
    }
  }

  private static byte[] utf8(String value, String field, int min, int max) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < min || bytes.length > max) {
      throw new IllegalArgumentException(field + " must be " + min + ".." + max
          + " bytes of UTF-8, not " + bytes.length);
    }
    return bytes;
  }

  private static void put(ByteBuffer out, byte[] bytes) {
    out.put((byte) bytes.length);
    out.put(bytes);
  }

  private static final class FieldException extends RuntimeException {
    FieldException(String message) {
      super(message, null, false, false);
    }
  }
}
