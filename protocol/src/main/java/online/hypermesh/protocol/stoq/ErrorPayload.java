package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The payload of an ERROR frame: u16 error code, then the message as UTF-8 (rest of the payload).
 *
 * <p>The code is kept as a raw int, not a {@link StoqError}: a newer peer may send a code this
 * version does not know, and that must still decode (new codes must not need a version bump).
 * {@link #toException()} maps it for callers.
 *
 * @param code u16 wire code, never 0
 * @param message human-readable, at most {@link #MAX_MESSAGE_BYTES} bytes of UTF-8 on the wire
 */
public record ErrorPayload(int code, String message) {

  /** Error messages are diagnostics, not data: capping them keeps every ERROR frame small. */
  public static final int MAX_MESSAGE_BYTES = 1024;

  public static final int CODE_BYTES = 2;

  public ErrorPayload {
    Objects.requireNonNull(message, "message");
    if (code <= 0 || code > 0xFFFF) {
      throw new IllegalArgumentException("error code must be in 1..65535: " + code);
    }
  }

  /** Encodes into a new unpooled buffer; a too-long message is cut at a character boundary. */
  public ByteBuf encode() {
    byte[] utf8 = truncateUtf8(message.getBytes(StandardCharsets.UTF_8), MAX_MESSAGE_BYTES);
    ByteBuf buf = Unpooled.buffer(CODE_BYTES + utf8.length);
    buf.writeShort(code);
    buf.writeBytes(utf8);
    return buf;
  }

  /**
   * Strictly decodes the readable bytes of {@code payload} without moving its reader index.
   *
   * @throws StoqException MALFORMED_FRAME when shorter than the code, code 0, message longer than
   *     allowed, or the message is not valid UTF-8
   */
  public static ErrorPayload decode(ByteBuf payload) {
    int length = payload.readableBytes();
    if (length < CODE_BYTES) {
      throw new StoqException(
          StoqError.MALFORMED_FRAME, "error payload of " + length + " bytes has no error code");
    }
    int start = payload.readerIndex();
    int code = payload.getUnsignedShort(start);
    if (code == 0) {
      throw new StoqException(StoqError.MALFORMED_FRAME, "error code 0 is reserved");
    }
    int messageBytes = length - CODE_BYTES;
    if (messageBytes > MAX_MESSAGE_BYTES) {
      throw new StoqException(
          StoqError.MALFORMED_FRAME,
          "error message of " + messageBytes + " bytes exceeds " + MAX_MESSAGE_BYTES);
    }
    ByteBuffer utf8 = payload.nioBuffer(start + CODE_BYTES, messageBytes);
    try {
      String message =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(utf8)
              .toString();
      return new ErrorPayload(code, message);
    } catch (CharacterCodingException e) {
      throw new StoqException(StoqError.MALFORMED_FRAME, "error message is not valid UTF-8");
    }
  }

  /** The exception a requester should see; unknown codes become INTERNAL naming the raw code. */
  public StoqException toException() {
    return StoqError.fromCode(code)
        .map(error -> new StoqException(error, message))
        .orElseGet(
            () ->
                new StoqException(
                    StoqError.INTERNAL,
                    "peer sent unknown error code 0x" + Integer.toHexString(code) + ": " + message));
  }

  /** Cuts UTF-8 to at most max bytes without splitting a multi-byte sequence. */
  private static byte[] truncateUtf8(byte[] utf8, int max) {
    if (utf8.length <= max) {
      return utf8;
    }
    int end = max;
    // Step back over continuation bytes (10xxxxxx) so the cut lands before a sequence start.
    while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
      end--;
    }
    byte[] cut = new byte[end];
    System.arraycopy(utf8, 0, cut, 0, end);
    return cut;
  }
}
