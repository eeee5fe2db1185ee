package online.hypermesh.protocol.stoq.fuzz;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.stoq.StoqError;

/**
 * An independent, deliberately naive reading of the frame format in docs/ARCHITECTURE.md and
 * {@code FrameCodec}'s javadoc, on a whole byte array. The fuzz test checks that the real decoder
 * (in one buffer, and through Netty with arbitrary read boundaries) produces exactly these events.
 */
final class SpecDecoder {

  /** A decoded frame or a rejection (messages are not compared, only what a peer acts on). */
  record Event(boolean frame, int type, long correlationId, byte[] payload, StoqError error,
      boolean fatal) {

    static Event frame(int type, long correlationId, byte[] payload) {
      return new Event(true, type, correlationId, payload, null, false);
    }

    static Event error(StoqError error, long correlationId, boolean fatal) {
      return new Event(false, 0, correlationId, null, error, fatal);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Event e && frame == e.frame && type == e.type
          && correlationId == e.correlationId && Arrays.equals(payload, e.payload)
          && error == e.error && fatal == e.fatal;
    }

    @Override
    public int hashCode() {
      return Objects.hash(frame, type, correlationId, Arrays.hashCode(payload), error, fatal);
    }

    @Override
    public String toString() {
      return frame
          ? "Frame(type " + type + ", id " + correlationId + ", " + payload.length + " bytes)"
          : "Error(" + error + (fatal ? ", fatal" : "") + ", id " + correlationId + ")";
    }
  }

  private SpecDecoder() {}

  static List<Event> decode(byte[] in, int maxFrameBytes) {
    return decode(in, maxFrameBytes, false);
  }

  /**
   * @param requestStream a server's request stream (or a client's download or link stream):
   *     STREAM_DATA (5), STREAM_END (6), CANCEL (7) and LINK (8) are valid types there, flag 0x0001
   *     (download) on a REQUEST and flag 0x0002 (link open) on a LINK
   */
  static List<Event> decode(byte[] in, int maxFrameBytes, boolean requestStream) {
    List<Event> events = new ArrayList<>();
    int pos = 0;
    while (pos < in.length) {
      int remaining = in.length - pos;
      if (remaining < 4) {
        events.add(Event.error(StoqError.MALFORMED_FRAME, 0, true)); // stream ended in the prefix
        return events;
      }
      long length = FrameInputs.readU32(in, pos);
      if (length + 4 > maxFrameBytes) {
        events.add(Event.error(StoqError.FRAME_TOO_LARGE, 0, true));
        return events;
      }
      if (length < 12) {
        events.add(Event.error(StoqError.MALFORMED_FRAME, 0, true));
        return events;
      }
      if (remaining < 4 + length) {
        events.add(Event.error(StoqError.MALFORMED_FRAME, 0, true)); // stream ended in the frame
        return events;
      }
      int end = pos + 4 + (int) length;
      int version = in[pos + 4] & 0xFF;
      int type = in[pos + 5] & 0xFF;
      int flags = ((in[pos + 6] & 0xFF) << 8) | (in[pos + 7] & 0xFF);
      long id = ByteBuffer.wrap(in, pos + 8, 8).getLong();
      byte[] payload = Arrays.copyOfRange(in, pos + 16, end);
      pos = end;
      if (version != 1) {
        events.add(Event.error(StoqError.UNSUPPORTED_VERSION, 0, false));
      } else if (!((type >= 1 && type <= 3) || (requestStream && type >= 5 && type <= 8))) {
        events.add(Event.error(StoqError.UNKNOWN_FRAME_TYPE, id, false));
      } else if (flags != 0 && !(requestStream && type == 1 && flags == 1)
          && !(requestStream && type == 8 && flags == 2)) {
        events.add(Event.error(StoqError.MALFORMED_FRAME, id, false));
      } else if (type == 3 && !validErrorPayload(payload)) {
        events.add(Event.error(StoqError.MALFORMED_FRAME, id, false));
      } else {
        events.add(Event.frame(type, id, payload));
      }
    }
    return events;
  }

  /** u16 code (not 0), then at most 1024 bytes of well-formed UTF-8. */
  private static boolean validErrorPayload(byte[] payload) {
    if (payload.length < 2) {
      return false;
    }
    int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    if (code == 0 || payload.length - 2 > 1024) {
      return false;
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload, 2, payload.length - 2));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
