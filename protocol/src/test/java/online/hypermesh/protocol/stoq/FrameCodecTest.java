package online.hypermesh.protocol.stoq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static final int MAX = 4096;

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  @Test
  void layoutIsExactlyAsDocumented() {
    Frame frame = Frame.request(0x0102030405060708L, Unpooled.wrappedBuffer(new byte[] {9, 10}));
    ByteBuf out = Unpooled.buffer();
    FrameCodec.encode(frame, out, MAX);
    assertArrayEquals(
        new byte[] {
          0, 0, 0, 14, // length = 12 header + 2 payload
          1, // version
          1, // REQUEST
          0, 0, // flags
          1, 2, 3, 4, 5, 6, 7, 8, // correlation id
          9, 10 // payload
        },
        ByteBufUtil.getBytes(out));
    frame.release();
    out.release();
  }

  @Test
  void everyTypeRoundTrips() {
    ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    Frame[] frames = {
      Frame.request(1, Unpooled.wrappedBuffer("ping".getBytes(StandardCharsets.UTF_8))),
      Frame.response(-1L, Unpooled.EMPTY_BUFFER),
      Frame.error(42, StoqError.BAD_REQUEST, "nope: ü€𝄞"),
    };
    for (Frame frame : frames) {
      ByteBuf wire = FrameCodec.encode(alloc, frame, MAX);
      Frame decoded = FrameCodec.decode(wire, MAX);
      assertNotNull(decoded);
      assertEquals(frame.type(), decoded.type());
      assertEquals(frame.flags(), decoded.flags());
      assertEquals(frame.correlationId(), decoded.correlationId());
      assertEquals(frame.payload(), decoded.payload());
      assertFalse(wire.isReadable());
      decoded.release();
      frame.release();
      assertEquals(1, wire.refCnt(), "decoded payload slice must not keep the input alive");
      wire.release();
    }
  }

  @Test
  void errorPayloadDecodes() {
    Frame frame = Frame.error(7, StoqError.UNAUTHENTICATED, "who are you");
    ErrorPayload payload = ErrorPayload.decode(frame.payload());
    assertEquals(StoqError.UNAUTHENTICATED.code(), payload.code());
    assertEquals("who are you", payload.message());
    StoqException e = payload.toException();
    assertEquals(StoqError.UNAUTHENTICATED, e.error());
    frame.release();

    StoqException unknown = new ErrorPayload(0xBEEF, "future").toException();
    assertEquals(StoqError.INTERNAL, unknown.error());
    assertTrue(unknown.getMessage().contains("beef"));
  }

  @Test
  void longErrorMessagesAreCutAtACharacterBoundary() {
    String message = "€".repeat(1000); // 3 bytes each
    ByteBuf encoded = new ErrorPayload(StoqError.INTERNAL.code(), message).encode();
    ErrorPayload decoded = ErrorPayload.decode(encoded);
    assertTrue(decoded.message().length() <= ErrorPayload.MAX_MESSAGE_BYTES / 3);
    assertTrue(message.startsWith(decoded.message()));
    encoded.release();
  }

  @Test
  void partialInputWaitsWithoutConsuming() {
    ByteBuf wire = encodedRequest(5, "hello");
    for (int cut = 0; cut < wire.readableBytes(); cut++) {
      ByteBuf part = wire.retainedSlice(0, cut);
      assertNull(FrameCodec.decode(part, MAX));
      assertEquals(0, part.readerIndex());
      part.release();
    }
    wire.release();
  }

  @Test
  void twoFramesInOneBuffer() {
    ByteBuf wire = Unpooled.buffer();
    wire.writeBytes(encodedRequest(1, "a"));
    wire.writeBytes(encodedRequest(2, "bb"));
    Frame first = FrameCodec.decode(wire, MAX);
    Frame second = FrameCodec.decode(wire, MAX);
    assertEquals(1, first.correlationId());
    assertEquals(2, second.correlationId());
    assertNull(FrameCodec.decode(wire, MAX));
    first.release();
    second.release();
    wire.release();
  }

  @Test
  void unknownVersionIsSkippedAndReported() {
    ByteBuf wire = encodedRequest(9, "x");
    wire.setByte(4, 2);
    wire.writeBytes(encodedRequest(10, "y"));
    FrameDecodingException e = decodeError(wire);
    assertEquals(StoqError.UNSUPPORTED_VERSION, e.error());
    assertFalse(e.streamFatal());
    assertEquals(0, e.correlationId(), "layout of an unknown version is not trusted");
    Frame next = FrameCodec.decode(wire, MAX);
    assertEquals(10, next.correlationId());
    next.release();
    wire.release();
  }

  @Test
  void unknownTypeIsSkippedWithItsCorrelationId() {
    for (int type : new int[] {0, 4, 5, 0x7F, 0x80, 0xFF}) {
      ByteBuf wire = encodedRequest(77, "x");
      wire.setByte(5, type);
      FrameDecodingException e = decodeError(wire);
      assertEquals(StoqError.UNKNOWN_FRAME_TYPE, e.error(), "type " + type);
      assertFalse(e.streamFatal());
      assertEquals(77, e.correlationId());
      assertFalse(wire.isReadable());
      wire.release();
    }
  }

  @Test
  void unknownFlagsAreRejected() {
    ByteBuf wire = encodedRequest(3, "x");
    wire.setShort(6, 0x8000);
    FrameDecodingException e = decodeError(wire);
    assertEquals(StoqError.MALFORMED_FRAME, e.error());
    assertFalse(e.streamFatal());
    assertEquals(3, e.correlationId());
    wire.release();
  }

  @Test
  void oversizeLengthIsFatalBeforeTheBodyArrives() {
    ByteBuf wire = Unpooled.buffer().writeInt(MAX); // + 4 prefix bytes = MAX + 4 > MAX
    FrameDecodingException e = decodeError(wire);
    assertEquals(StoqError.FRAME_TOO_LARGE, e.error());
    assertTrue(e.streamFatal());
    assertEquals(0, wire.readerIndex(), "fatal errors consume nothing");
    wire.release();

    ByteBuf huge = Unpooled.buffer().writeInt(0xFFFFFFFF);
    assertEquals(StoqError.FRAME_TOO_LARGE, decodeError(huge).error());
    huge.release();
  }

  @Test
  void largestAllowedFrameDecodes() {
    byte[] payload = new byte[MAX - FrameCodec.MIN_FRAME_BYTES];
    Frame frame = Frame.response(1, Unpooled.wrappedBuffer(payload));
    ByteBuf wire = FrameCodec.encode(PooledByteBufAllocator.DEFAULT, frame, MAX);
    assertEquals(MAX, wire.readableBytes());
    Frame decoded = FrameCodec.decode(wire, MAX);
    assertEquals(payload.length, decoded.payload().readableBytes());
    decoded.release();
    wire.release();

    Frame tooBig = Frame.response(1, Unpooled.wrappedBuffer(new byte[payload.length + 1]));
    StoqException e =
        assertThrows(
            StoqException.class,
            () -> FrameCodec.encode(PooledByteBufAllocator.DEFAULT, tooBig, MAX));
    assertEquals(StoqError.FRAME_TOO_LARGE, e.error());
    tooBig.release();
  }

  @Test
  void lengthShorterThanHeaderIsFatal() {
    ByteBuf wire = Unpooled.buffer().writeInt(11).writeZero(11);
    FrameDecodingException e = decodeError(wire);
    assertEquals(StoqError.MALFORMED_FRAME, e.error());
    assertTrue(e.streamFatal());
    wire.release();
  }

  @Test
  void badErrorPayloadsAreMalformed() {
    byte[][] payloads = {
      {}, // no code
      {0x01}, // half a code
      {0, 0, 'x'}, // code 0 is reserved
      {0x01, 0x01, (byte) 0xC3, 0x28}, // invalid UTF-8
    };
    for (byte[] payload : payloads) {
      Frame frame =
          new Frame(FrameType.ERROR, Frame.NO_FLAGS, 5, Unpooled.wrappedBuffer(payload));
      ByteBuf wire = Unpooled.buffer();
      FrameCodec.encode(frame, wire, MAX);
      FrameDecodingException e = decodeError(wire);
      assertEquals(StoqError.MALFORMED_FRAME, e.error());
      assertFalse(e.streamFatal());
      assertEquals(5, e.correlationId());
      assertFalse(wire.isReadable());
      wire.release();
    }
  }

  @Test
  void leftoverBytesAtEndOfStreamAreATruncatedFrame() {
    ByteBuf wire = encodedRequest(1, "hello");
    wire.writerIndex(wire.writerIndex() - 1);
    assertNull(FrameCodec.decode(wire, MAX));
    FrameDecodingException e =
        assertThrows(FrameDecodingException.class, () -> FrameCodec.requireNoPartialFrame(wire));
    assertEquals(StoqError.MALFORMED_FRAME, e.error());
    assertTrue(e.streamFatal());
    assertTrue(e.getMessage().contains("got 20 of 21"), e.getMessage());
    wire.release();

    FrameCodec.requireNoPartialFrame(Unpooled.EMPTY_BUFFER);
  }

  /**
   * Seeded random inputs — pure noise and mutated valid frames — must each decode to frames or a
   * StoqException with a code, never any other exception, and never leak the input.
   */
  @Test
  void randomInputsOnlyProduceFramesOrStoqErrors() {
    Random random = new Random(0x5704_2025L);
    int frames = 0;
    int errors = 0;
    int[] byCode = new int[StoqError.values().length];
    for (int i = 0; i < 100_000; i++) {
      byte[] input = randomInput(random);
      ByteBuf in = Unpooled.wrappedBuffer(input);
      List<Frame> decoded = new ArrayList<>();
      try {
        while (true) {
          Frame frame;
          try {
            frame = FrameCodec.decode(in, MAX);
          } catch (FrameDecodingException e) {
            errors++;
            byCode[e.error().ordinal()]++;
            if (e.streamFatal()) {
              break;
            }
            continue;
          }
          if (frame == null) {
            try {
              FrameCodec.requireNoPartialFrame(in);
            } catch (FrameDecodingException e) {
              errors++;
              byCode[e.error().ordinal()]++;
            }
            break;
          }
          frames++;
          decoded.add(frame);
          assertValid(frame);
        }
      } catch (RuntimeException e) {
        if (!(e instanceof StoqException)) {
          fail("input " + i + " " + ByteBufUtil.hexDump(input) + " threw " + e, e);
        }
        errors++;
      } finally {
        decoded.forEach(Frame::release);
      }
      assertEquals(1, in.refCnt(), "input " + i + " leaked a payload slice");
    }
    assertTrue(frames > 10_000, "mutations should still yield many valid frames: " + frames);
    assertTrue(errors > 10_000, "and many errors: " + errors);
    for (StoqError framing :
        new StoqError[] {
          StoqError.MALFORMED_FRAME, StoqError.FRAME_TOO_LARGE,
          StoqError.UNSUPPORTED_VERSION, StoqError.UNKNOWN_FRAME_TYPE
        }) {
      assertTrue(byCode[framing.ordinal()] > 0, "never produced " + framing);
    }
  }

  private static void assertValid(Frame frame) {
    assertNotNull(frame.type());
    assertEquals(0, frame.flags() & ~FrameCodec.KNOWN_FLAGS);
    assertTrue(FrameCodec.encodedSize(frame.payload().readableBytes()) <= MAX);
    if (frame.type() == FrameType.ERROR) {
      ErrorPayload.decode(frame.payload());
    }
  }

  private static byte[] randomInput(Random random) {
    switch (random.nextInt(4)) {
      case 0 -> {
        byte[] noise = new byte[random.nextInt(64)];
        random.nextBytes(noise);
        return noise;
      }
      default -> {
        // One to three well-formed frames, then a few random byte flips / truncation. Built on
        // wrapped arrays: allocator buffers are leak-tracked, which under paranoid is slow.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3 * (FrameCodec.MIN_FRAME_BYTES + 64)]);
        buf.clear();
        int count = 1 + random.nextInt(3);
        for (int f = 0; f < count; f++) {
          FrameType type = FrameType.values()[random.nextInt(3)];
          byte[] payload = type == FrameType.ERROR ? errorPayload(random) : bytes(random);
          Frame frame =
              new Frame(type, Frame.NO_FLAGS, random.nextLong(), Unpooled.wrappedBuffer(payload));
          FrameCodec.encode(frame, buf, MAX);
        }
        byte[] input = ByteBufUtil.getBytes(buf);
        int flips = random.nextInt(4);
        for (int k = 0; k < flips && input.length > 0; k++) {
          int at = random.nextInt(Math.min(input.length, 24));
          input[at] = (byte) random.nextInt(256);
        }
        if (random.nextInt(5) == 0 && input.length > 0) {
          input = java.util.Arrays.copyOf(input, random.nextInt(input.length));
        }
        return input;
      }
    }
  }

  private static byte[] errorPayload(Random random) {
    byte[] message = ("m" + random.nextInt()).getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + message.length];
    payload[1] = (byte) StoqError.BAD_REQUEST.code();
    payload[0] = (byte) (StoqError.BAD_REQUEST.code() >> 8);
    System.arraycopy(message, 0, payload, 2, message.length);
    return payload;
  }

  private static byte[] bytes(Random random) {
    byte[] bytes = new byte[random.nextInt(40)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static ByteBuf encodedRequest(long correlationId, String payload) {
    Frame frame =
        Frame.request(correlationId, Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    ByteBuf out = Unpooled.buffer();
    FrameCodec.encode(frame, out, MAX);
    frame.release();
    return out;
  }

  private static FrameDecodingException decodeError(ByteBuf wire) {
    return assertThrows(FrameDecodingException.class, () -> FrameCodec.decode(wire, MAX));
  }
}
