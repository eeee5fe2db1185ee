package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The STOQ v1 wire format, as static encode/decode on Netty buffers (so the same code serves the
 * Netty pipeline adapter {@link FrameDecoder}, tests and later zero-copy paths).
 *
 * <pre>
 *   offset size  field
 *   0      4     length          u32, big-endian: number of bytes after this field (12 + payload)
 *   4      1     version         u8, = 1
 *   5      1     type            u8, {@link FrameType}
 *   6      2     flags           u16: {@link #FLAG_DOWNLOAD} on REQUEST, {@link #FLAG_LINK_OPEN}
 *                                on LINK (request streams only), else none
 *   8      8     correlation id  u64, chosen by the requester, echoed in RESPONSE/ERROR
 *   16     n     payload         ERROR: u16 code + UTF-8 message ({@link ErrorPayload})
 * </pre>
 *
 * <p>Extension rules that keep old peers safe: the length prefix and the version byte stay where
 * they are in every future version, so a v1 peer can always find the end of a frame it cannot
 * read and answer UNSUPPORTED_VERSION without losing the stream. New frame types and flags are
 * only sent after the peer has shown it understands them (handshake or ALPN), and a v1 peer
 * rejects unknown ones loudly rather than misreading them.
 *
 * <p>{@code maxFrameBytes} bounds the whole encoded frame including the length prefix, so the
 * largest payload is {@code maxFrameBytes - 16}.
 */
public final class FrameCodec {

  public static final int VERSION = 1;
  public static final int LENGTH_FIELD_BYTES = 4;
  /** version + type + flags + correlation id. */
  public static final int HEADER_BYTES = 12;
  /** The smallest possible frame: prefix + header + empty payload. */
  public static final int MIN_FRAME_BYTES = LENGTH_FIELD_BYTES + HEADER_BYTES;
  /**
   * Flag bits the plain decoder ({@link #decode(ByteBuf, int)}) understands: none; any bit set is
   * rejected. Request streams also accept {@link #FLAG_DOWNLOAD} on REQUEST.
   */
  public static final int KNOWN_FLAGS = 0;
  /**
   * On a REQUEST: answer with a streamed download (STREAM_DATA chunks, then STREAM_END) instead of
   * one RESPONSE. Accepted only where STREAM_DATA is (a server's request stream).
   */
  public static final int FLAG_DOWNLOAD = 0x0001;
  /**
   * On a LINK frame: the link's opening request (client) or its acceptance (server). Accepted only
   * where LINK is.
   */
  public static final int FLAG_LINK_OPEN = 0x0002;

  private FrameCodec() {}

  /** The encoded size of a frame with this many payload bytes. */
  public static long encodedSize(int payloadBytes) {
    return (long) MIN_FRAME_BYTES + payloadBytes;
  }

  /**
   * Writes {@code frame} to {@code out}. Does not release the frame or move its payload's reader
   * index.
   *
   * @throws StoqException FRAME_TOO_LARGE when the encoded frame would exceed maxFrameBytes
   */
  public static void encode(Frame frame, ByteBuf out, int maxFrameBytes) {
    ByteBuf payload = frame.payload();
    int payloadBytes = payload.readableBytes();
    long size = encodedSize(payloadBytes);
    if (size > maxFrameBytes) {
      throw new StoqException(
          StoqError.FRAME_TOO_LARGE,
          "frame of " + size + " bytes exceeds the maximum of " + maxFrameBytes);
    }
    out.ensureWritable((int) size);
    out.writeInt(HEADER_BYTES + payloadBytes);
    out.writeByte(VERSION);
    out.writeByte(frame.type().code());
    out.writeShort(frame.flags());
    out.writeLong(frame.correlationId());
    out.writeBytes(payload, payload.readerIndex(), payloadBytes);
  }

  /** Encodes into a new buffer from {@code alloc} (an I/O buffer: it goes to the socket next). */
  public static ByteBuf encode(ByteBufAllocator alloc, Frame frame, int maxFrameBytes) {
    long size = encodedSize(frame.payload().readableBytes());
    if (size > maxFrameBytes) {
      throw new StoqException(
          StoqError.FRAME_TOO_LARGE,
          "frame of " + size + " bytes exceeds the maximum of " + maxFrameBytes);
    }
    ByteBuf out = alloc.ioBuffer((int) size);
    try {
      encode(frame, out, maxFrameBytes);
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /**
   * Decodes the next frame from {@code in}.
   *
   * <ul>
   *   <li>Returns null when {@code in} does not yet hold a whole frame (nothing consumed).
   *   <li>Returns a frame and moves past it; its payload is a retained slice of {@code in}, so
   *       the caller must release the frame.
   *   <li>Throws {@link FrameDecodingException}. When it is not {@link
   *       FrameDecodingException#streamFatal() fatal} the bad frame has been skipped and decoding
   *       may continue; when it is fatal nothing was consumed and the stream cannot be parsed any
   *       further.
   * </ul>
   *
   * <p>Never throws anything else for any input (checked by a randomized test).
   */
  public static Frame decode(ByteBuf in, int maxFrameBytes) {
    return decode(in, maxFrameBytes, false, false, false);
  }

  /**
   * {@link #decode(ByteBuf, int)} for a request stream ({@code handshakeStream} false: HANDSHAKE
   * frames are rejected as UNKNOWN_FRAME_TYPE) or for the handshake stream (they are accepted).
   */
  static Frame decode(ByteBuf in, int maxFrameBytes, boolean handshakeStream) {
    return decode(in, maxFrameBytes, handshakeStream, false, false);
  }

  /** {@link #decode(ByteBuf, int, boolean, boolean, boolean)} without streamed-upload frames. */
  static Frame decode(
      ByteBuf in, int maxFrameBytes, boolean handshakeStream, boolean sealedPayloads) {
    return decode(in, maxFrameBytes, handshakeStream, sealedPayloads, false);
  }

  /**
   * @param sealedPayloads payloads are AES-GCM sealed ({@link StoqSession}): an ERROR payload can
   *     only be checked after it is opened, so it is not checked here
   * @param streamFrames STREAM_DATA, STREAM_END, CANCEL and LINK are accepted, and {@link
   *     #FLAG_DOWNLOAD} on REQUEST, {@link #FLAG_LINK_OPEN} on LINK (a server's request stream, a client's download stream);
   *     otherwise they are rejected as UNKNOWN_FRAME_TYPE (the flag as MALFORMED_FRAME) like
   *     anything not allowed there
   */
  static Frame decode(
      ByteBuf in, int maxFrameBytes, boolean handshakeStream, boolean sealedPayloads,
      boolean streamFrames) {
    int readable = in.readableBytes();
    if (readable < LENGTH_FIELD_BYTES) {
      return null;
    }
    int start = in.readerIndex();
    long length = in.getUnsignedInt(start);
    // Checked before waiting for the body, so an absurd prefix is rejected at once instead of
    // making us buffer up to 4 GiB.
    if (length + LENGTH_FIELD_BYTES > maxFrameBytes) {
      throw new FrameDecodingException(
          StoqError.FRAME_TOO_LARGE,
          "frame of " + (length + LENGTH_FIELD_BYTES) + " bytes (length prefix " + length
              + ") exceeds the maximum of " + maxFrameBytes,
          0,
          true);
    }
    if (length < HEADER_BYTES) {
      throw new FrameDecodingException(
          StoqError.MALFORMED_FRAME,
          "length prefix " + length + " is shorter than the " + HEADER_BYTES + "-byte header",
          0,
          true);
    }
    int frameBytes = LENGTH_FIELD_BYTES + (int) length;
    if (readable < frameBytes) {
      return null;
    }
    // From here the frame boundary is known, so every error skips just this frame.
    int end = start + frameBytes;
    int version = in.getUnsignedByte(start + 4);
    if (version != VERSION) {
      in.readerIndex(end);
      // The rest of the header may be laid out differently in that version: no correlation id.
      throw new FrameDecodingException(
          StoqError.UNSUPPORTED_VERSION,
          "frame version " + version + " is not supported (this peer speaks " + VERSION + ")",
          0,
          false);
    }
    int typeCode = in.getUnsignedByte(start + 5);
    int flags = in.getUnsignedShort(start + 6);
    long correlationId = in.getLong(start + 8);
    FrameType type = FrameType.fromCode(typeCode);
    if (type == FrameType.HANDSHAKE && !handshakeStream) {
      in.readerIndex(end);
      throw new FrameDecodingException(
          StoqError.UNKNOWN_FRAME_TYPE,
          "frame type " + typeCode + " (HANDSHAKE) is only valid on the handshake stream",
          correlationId,
          false);
    }
    if ((type == FrameType.STREAM_DATA || type == FrameType.STREAM_END
            || type == FrameType.CANCEL || type == FrameType.LINK)
        && !streamFrames) {
      in.readerIndex(end);
      throw new FrameDecodingException(
          StoqError.UNKNOWN_FRAME_TYPE,
          "frame type " + typeCode + " (" + type + ") is not accepted here",
          correlationId,
          false);
    }
    if (type == null) {
      in.readerIndex(end);
      throw new FrameDecodingException(
          StoqError.UNKNOWN_FRAME_TYPE, "unknown frame type " + typeCode, correlationId, false);
    }
    int allowedFlags =
        !streamFrames ? KNOWN_FLAGS
            : type == FrameType.REQUEST ? FLAG_DOWNLOAD
            : type == FrameType.LINK ? FLAG_LINK_OPEN
            : KNOWN_FLAGS;
    if ((flags & ~allowedFlags) != 0) {
      in.readerIndex(end);
      throw new FrameDecodingException(
          StoqError.MALFORMED_FRAME,
          "unknown flags 0x" + Integer.toHexString(flags) + " on " + type + " frame",
          correlationId,
          false);
    }
    int payloadStart = start + MIN_FRAME_BYTES;
    int payloadBytes = frameBytes - MIN_FRAME_BYTES;
    if (type == FrameType.ERROR && !sealedPayloads) {
      try {
        ErrorPayload.decode(in.slice(payloadStart, payloadBytes));
      } catch (StoqException e) {
        in.readerIndex(end);
        throw new FrameDecodingException(
            e.error(), "bad ERROR frame: " + e.getMessage(), correlationId, false);
      }
    }
    in.readerIndex(payloadStart);
    ByteBuf payload = in.readRetainedSlice(payloadBytes);
    return new Frame(type, flags, correlationId, payload);
  }

  /**
   * Called when the stream has ended: any bytes left over are an incomplete frame.
   *
   * @throws FrameDecodingException MALFORMED_FRAME (fatal) if {@code in} is readable
   */
  public static void requireNoPartialFrame(ByteBuf in) {
    int readable = in.readableBytes();
    if (readable == 0) {
      return;
    }
    String expected =
        readable >= LENGTH_FIELD_BYTES
            ? " of " + (LENGTH_FIELD_BYTES + in.getUnsignedInt(in.readerIndex()))
            : " of a " + LENGTH_FIELD_BYTES + "-byte length prefix";
    throw new FrameDecodingException(
        StoqError.MALFORMED_FRAME,
        "stream ended inside a frame: got " + readable + expected + " bytes",
        0,
        true);
  }
}
