package online.hypermesh.protocol.stoq.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.EmptyByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.stoq.ErrorPayload;
import online.hypermesh.protocol.stoq.Frame;
import online.hypermesh.protocol.stoq.FrameCodec;
import online.hypermesh.protocol.stoq.FrameDecodingException;
import online.hypermesh.protocol.stoq.FrameType;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.fuzz.SpecDecoder.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the STOQ frame decoder ("Bad input", issue STOQ) with {@link FuzzConfig#ITERATIONS}
 * seeded, structure-aware inputs ({@link FrameInputs}: mutations of valid frame streams).
 *
 * <p>Each input goes three ways and all three must agree event for event (frames with their
 * type, correlation id and payload; rejections with their code, fatality and correlation id):
 *
 * <ol>
 *   <li>{@link SpecDecoder}, an independent naive reading of the documented format;
 *   <li>{@link FrameCodec#decode} looped over the whole input in one buffer (heap, direct pooled,
 *       offset slices, non-zero reader index), then {@link FrameCodec#requireNoPartialFrame};
 *   <li>the Netty {@code FrameDecoder} in an {@link EmbeddedChannel}, the input cut into several
 *       reads at random points (merge or composite cumulator, plain/composite/sliced chunk
 *       buffers), then end of stream.
 * </ol>
 *
 * <p>Every other input is generated and decoded as a server's request stream ({@code
 * FrameDecoder(max, false, false, true)}), where STREAM_DATA, STREAM_END, CANCEL, LINK, the
 * download flag on REQUEST and the link-open flag on LINK are valid too; the others as the plain v1 view (types 1 to 3, no flags).
 *
 * <p>Also checked: nothing but {@link FrameDecodingException} is ever thrown, every rejection has a
 * framing-range {@link StoqError} and a non-empty message, fatal rejections consume nothing and
 * others skip exactly one frame, every buffer allocated for an input (by the test or the decoder,
 * through a {@link TrackingAllocator}) ends with {@code refCnt() == 0}, Netty's paranoid leak
 * detector reports nothing ({@link LeakWatch}), and no slice of 100,000 inputs takes more than
 * 60 s (hang guard that also holds in long runs; the method-level {@link Timeout} guards CI).
 *
 * <p>Long run (20 million inputs, any seed; the method timeout is switched off, the per-slice hang
 * guard stays):
 *
 * <pre>
 * mvn -o -pl protocol test -Dtest=FrameFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dhypermesh.fuzz.iterations=20000000 -Dhypermesh.fuzz.seed=$RANDOM \
 *     -Djunit.jupiter.execution.timeout.mode=disabled
 * </pre>
 *
 * A failure names the seed, the input index, the hex of the input and the read boundaries.
 */
class FrameFuzzTest {

  private static final int SLICE = 100_000;
  private static final int POOLED_EVERY = Integer.getInteger("hypermesh.fuzz.pooledEvery", 64);
  private static final int[] MAX_FRAME_BYTES = {
    StoqSettings.MIN_MAX_FRAME_BYTES, 1500, 4096, StoqSettings.DEFAULT_MAX_FRAME_BYTES
  };
  private static final Constructor<? extends ByteToMessageDecoder> FRAME_DECODER = frameDecoder();
  /** The request-stream decoder: FrameDecoder(max, false, false, true) and FrameCodec's twin. */
  private static final Constructor<? extends ByteToMessageDecoder> STREAM_DECODER =
      streamFrameDecoder();
  private static final java.lang.reflect.Method STREAM_DECODE = streamDecode();

  private final FrameInputs inputs = new FrameInputs(apiPayloads());
  /** Unpooled heap buffers: cheap, checked through refCnt only. */
  private final TrackingAllocator heap = new TrackingAllocator(new UnpooledByteBufAllocator(false));
  /** Pooled direct buffers: leak-aware under the paranoid detector (slow: 1 input in 64). */
  private final TrackingAllocator pooled = new TrackingAllocator(PooledByteBufAllocator.DEFAULT);

  private final Stats stats = new Stats();
  private volatile String current = "";

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void decoderAcceptsOrRejectsEveryInputCleanly() throws Exception {
    try (LeakWatch leaks = LeakWatch.install()) {
      long started = System.nanoTime();
      for (long from = 0; from < FuzzConfig.ITERATIONS; from += SLICE) {
        long first = from;
        long end = Math.min(FuzzConfig.ITERATIONS, from + SLICE);
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () -> run(first, end),
            () -> "inputs " + first + ".." + end + " took over 60 s; stuck on " + current);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      stats.print(seconds);
      leaks.assertNoLeaks();
    }
    assertTrue(stats.frames > FuzzConfig.ITERATIONS / 4, "too few valid frames: generator broken?");
    for (StoqError framing :
        List.of(StoqError.MALFORMED_FRAME, StoqError.FRAME_TOO_LARGE,
            StoqError.UNSUPPORTED_VERSION, StoqError.UNKNOWN_FRAME_TYPE)) {
      assertTrue(stats.rejected.containsKey(framing) || FuzzConfig.ITERATIONS < 1000,
          "never produced " + framing);
    }
  }

  private void run(long from, long end) {
    for (long i = from; i < end; i++) {
      fuzzOne(i);
    }
  }

  private void fuzzOne(long index) {
    SplittableRandom random = new SplittableRandom(FuzzConfig.seedOf(index));
    int max = MAX_FRAME_BYTES[random.nextInt(MAX_FRAME_BYTES.length)];
    // Every other input is read as a server's request stream (STREAM_DATA/END, CANCEL, download,
    // LINK).
    boolean requestStream = (index & 1) == 1;
    FrameInputs.Input input = inputs.next(random, max, requestStream);
    byte[] bytes = input.bytes();
    int[] splits = FrameInputs.splits(random, bytes.length);
    TrackingAllocator alloc = random.nextInt(POOLED_EVERY) == 0 ? pooled : heap;
    current = describe(index, input, max, splits);

    List<Event> expected = SpecDecoder.decode(bytes, max, requestStream);
    List<Event> viaCodec;
    List<Event> viaChannel;
    alloc.reset();
    try {
      viaCodec = decodeWithCodec(bytes, max, random, alloc, requestStream);
      viaChannel = decodeWithChannel(
          bytes, max, splits, random.nextBoolean(), random, alloc, requestStream);
    } catch (Throwable t) {
      alloc.releaseAll();
      throw new AssertionError("unexpected " + t + " for " + current, t);
    }
    String unreleased = alloc.unreleased();
    if (unreleased != null) {
      alloc.releaseAll();
      fail("buffers not released (" + unreleased + ") for " + current);
    }
    if (!expected.equals(viaCodec)) {
      fail("FrameCodec.decode gave " + viaCodec + ", the format says " + expected + " for "
          + current);
    }
    if (!expected.equals(viaChannel)) {
      fail("FrameDecoder gave " + viaChannel + ", the format says " + expected + " for " + current);
    }
    stats.record(input.strategy(), bytes.length, viaCodec);
  }

  /** Decodes the whole input from one buffer, as documented: loop until null or a fatal error. */
  private static List<Event> decodeWithCodec(
      byte[] bytes, int max, SplittableRandom random, TrackingAllocator alloc,
      boolean requestStream) {
    ByteBuf in = wrap(bytes, random, alloc);
    List<Event> events = new ArrayList<>();
    try {
      for (int guard = 0; guard <= bytes.length + 1; guard++) {
        int before = in.readerIndex();
        Frame frame;
        try {
          frame = requestStream ? streamDecode(in, max) : FrameCodec.decode(in, max);
        } catch (FrameDecodingException e) {
          checkRejection(e);
          events.add(Event.error(e.error(), e.correlationId(), e.streamFatal()));
          if (e.streamFatal()) {
            assertTrue(in.readerIndex() == before, "a fatal rejection consumed bytes");
            return events;
          }
          assertTrue(in.readerIndex() > before, "a skippable rejection consumed nothing");
          continue;
        }
        if (frame == null) {
          assertTrue(in.readerIndex() == before, "null (need more bytes) consumed bytes");
          try {
            FrameCodec.requireNoPartialFrame(in);
          } catch (FrameDecodingException e) {
            checkRejection(e);
            assertTrue(e.streamFatal(), "a cut-off frame at end of stream must be fatal");
            events.add(Event.error(e.error(), e.correlationId(), e.streamFatal()));
          }
          return events;
        }
        try {
          assertTrue(in.readerIndex() > before, "a frame consumed nothing");
          events.add(checkFrame(frame, max, requestStream));
        } finally {
          frame.release();
        }
      }
      throw new AssertionError("decode loop made no progress");
    } finally {
      in.release();
      if (in.refCnt() != 0 && !(in instanceof EmptyByteBuf)) { // the shared empty buffer stays 1
        throw new AssertionError("decoded frames kept the input alive: refCnt " + in.refCnt());
      }
    }
  }

  /** The input in one of several buffer shapes. */
  private static ByteBuf wrap(byte[] bytes, SplittableRandom random, TrackingAllocator alloc) {
    switch (random.nextInt(4)) {
      case 0 -> {
        return Unpooled.wrappedBuffer(bytes);
      }
      case 1 -> {
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        return Unpooled.wrappedBuffer(padded, 3, bytes.length);
      }
      case 2 -> {
        ByteBuf buf = alloc.buffer(bytes.length + 5);
        buf.writeZero(5).writeBytes(bytes).skipBytes(5);
        return buf;
      }
      default -> {
        return alloc.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
      }
    }
  }

  /** Feeds the input to FrameDecoder in an EmbeddedChannel, cut at {@code splits}, then ends it. */
  private static List<Event> decodeWithChannel(
      byte[] bytes, int max, int[] splits, boolean composite, SplittableRandom random,
      TrackingAllocator alloc, boolean requestStream) throws ReflectiveOperationException {
    ByteToMessageDecoder decoder = requestStream
        ? STREAM_DECODER.newInstance(max, false, false, true)
        : FRAME_DECODER.newInstance(max);
    if (composite) {
      decoder.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
    }
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    channel.config().setAllocator(alloc);
    List<Event> events = new ArrayList<>();
    try {
      int from = 0;
      for (int k = 0; k <= splits.length; k++) {
        int to = k < splits.length ? splits[k] : bytes.length;
        if (random.nextInt(32) == 0) {
          channel.writeInbound(alloc.buffer(0)); // an empty read
        }
        channel.writeInbound(chunk(bytes, from, to, random, alloc));
        drain(channel, max, events, requestStream);
        from = to;
      }
      channel.finish();
      drain(channel, max, events, requestStream);
      return events;
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  private static ByteBuf chunk(
      byte[] bytes, int from, int to, SplittableRandom random, ByteBufAllocator alloc) {
    int length = to - from;
    switch (random.nextInt(8)) {
      case 0 -> {
        if (length >= 2) {
          int cut = from + 1 + random.nextInt(length - 1);
          CompositeByteBuf composite = alloc.compositeBuffer();
          composite.addComponents(
              true,
              alloc.buffer(cut - from).writeBytes(bytes, from, cut - from),
              alloc.buffer(to - cut).writeBytes(bytes, cut, to - cut));
          return composite;
        }
        return alloc.buffer(length).writeBytes(bytes, from, length);
      }
      case 1 -> {
        ByteBuf buf = alloc.buffer(length + 3);
        return buf.writeZero(3).writeBytes(bytes, from, length).skipBytes(3);
      }
      case 2 -> {
        ByteBuf parent = alloc.buffer(length + 4);
        parent.writeShort(0xBEEF).writeBytes(bytes, from, length).writeShort(0xBEEF);
        ByteBuf slice = parent.retainedSlice(2, length);
        parent.release();
        return slice;
      }
      default -> {
        return alloc.buffer(length).writeBytes(bytes, from, length);
      }
    }
  }

  private static void drain(
      EmbeddedChannel channel, int max, List<Event> events, boolean requestStream) {
    Object message;
    while ((message = channel.readInbound()) != null) {
      if (message instanceof Frame frame) {
        try {
          events.add(checkFrame(frame, max, requestStream));
        } finally {
          frame.release();
        }
      } else if (message instanceof FrameDecodingException e) {
        checkRejection(e);
        events.add(Event.error(e.error(), e.correlationId(), e.streamFatal()));
      } else {
        ReferenceCountUtil.release(message);
        throw new AssertionError("FrameDecoder emitted a " + message.getClass().getName());
      }
    }
  }

  /** A decoded frame must be one the format allows; returns it as an event. */
  private static Event checkFrame(Frame frame, int max, boolean requestStream) {
    ByteBuf payload = frame.payload();
    boolean flagsOk = frame.flags() == 0
        || (requestStream && frame.type() == FrameType.REQUEST
            && frame.flags() == FrameCodec.FLAG_DOWNLOAD)
        || (requestStream && frame.type() == FrameType.LINK
            && frame.flags() == FrameCodec.FLAG_LINK_OPEN);
    boolean typeOk = frame.type() != null && frame.type() != FrameType.HANDSHAKE
        && (requestStream || frame.type().code() <= 3);
    if (!flagsOk || !typeOk
        || FrameCodec.encodedSize(payload.readableBytes()) > max) {
      throw new AssertionError("decoder accepted an invalid frame " + frame);
    }
    if (frame.type() == FrameType.ERROR) {
      ErrorPayload.decode(payload); // throws if the decoder let a bad error payload through
    }
    return Event.frame(frame.type().code(), frame.correlationId(), ByteBufUtil.getBytes(payload));
  }

  /** The documented rejection: a framing-range code and a message a peer can read. */
  private static void checkRejection(FrameDecodingException e) {
    StoqError error = e.error();
    if (error == null || (error.code() >> 8) != 0x01) {
      throw new AssertionError("rejection without a framing error code: " + e);
    }
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      throw new AssertionError("rejection " + error + " without a message");
    }
    if (e.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        > ErrorPayload.MAX_MESSAGE_BYTES) {
      throw new AssertionError("rejection message too long for an ERROR frame: " + e);
    }
  }

  private static String describe(long index, FrameInputs.Input input, int max, int[] splits) {
    byte[] bytes = input.bytes();
    String hex = bytes.length <= 512
        ? ByteBufUtil.hexDump(bytes)
        : ByteBufUtil.hexDump(bytes, 0, 512) + "...(" + bytes.length + " bytes)";
    return "input " + index + " (seed " + FuzzConfig.SEED + ", " + input.strategy()
        + ", maxFrameBytes " + max + ", reads cut at " + java.util.Arrays.toString(splits)
        + "): " + hex;
  }

  @SuppressWarnings("unchecked")
  private static Constructor<? extends ByteToMessageDecoder> frameDecoder() {
    // FrameDecoder is package-private (it is only wired by StoqServer/StoqClient).
    try {
      Constructor<?> constructor =
          Class.forName("online.hypermesh.protocol.stoq.FrameDecoder")
              .getDeclaredConstructor(int.class);
      constructor.setAccessible(true);
      return (Constructor<? extends ByteToMessageDecoder>) constructor;
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Constructor<? extends ByteToMessageDecoder> streamFrameDecoder() {
    try {
      Constructor<?> constructor =
          Class.forName("online.hypermesh.protocol.stoq.FrameDecoder")
              .getDeclaredConstructor(int.class, boolean.class, boolean.class, boolean.class);
      constructor.setAccessible(true);
      return (Constructor<? extends ByteToMessageDecoder>) constructor;
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static java.lang.reflect.Method streamDecode() {
    try {
      java.lang.reflect.Method method =
          FrameCodec.class.getDeclaredMethod(
              "decode", ByteBuf.class, int.class, boolean.class, boolean.class, boolean.class);
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** FrameCodec.decode(in, max, false, false, true), unwrapping what the decoder threw. */
  private static Frame streamDecode(ByteBuf in, int max) {
    try {
      return (Frame) STREAM_DECODE.invoke(null, in, max, false, false, true);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new AssertionError(e.getCause());
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /** Realistic payloads: the Kryo encodings of every API message sample. */
  private static List<byte[]> apiPayloads() {
    KryoCodec codec = KryoCodec.of(new ProtocolRegistrar());
    return Stream.concat(ApiSamples.requests().stream(), ApiSamples.responses().stream())
        .map(codec::encode)
        .toList();
  }

  /** Counts for the summary line. */
  private static final class Stats {
    long inputs;
    long bytes;
    long frames;
    long cleanInputs;
    final Map<StoqError, long[]> rejected = new EnumMap<>(StoqError.class); // {skipped, fatal}
    final Map<String, Long> strategies = new TreeMap<>();

    void record(String strategy, int length, List<Event> events) {
      inputs++;
      bytes += length;
      strategies.merge(strategy, 1L, Long::sum);
      boolean clean = true;
      for (Event event : events) {
        if (event.frame()) {
          frames++;
        } else {
          clean = false;
          rejected.computeIfAbsent(event.error(), e -> new long[2])[event.fatal() ? 1 : 0]++;
        }
      }
      if (clean) {
        cleanInputs++;
      }
    }

    void print(double seconds) {
      StringBuilder out = new StringBuilder();
      out.append(String.format(
          "FrameFuzzTest: %,d inputs (%,d bytes) in %.1f s = %,.0f inputs/s, seed %d%n",
          inputs, bytes, seconds, inputs / seconds, FuzzConfig.SEED));
      out.append(String.format(
          "  accepted: %,d frames; %,d inputs decoded without any rejection%n",
          frames, cleanInputs));
      rejected.forEach((error, counts) -> out.append(String.format(
          "  rejected %-20s 0x%04x: %,d (%,d skipped, %,d fatal)%n",
          error, error.code(), counts[0] + counts[1], counts[0], counts[1])));
      out.append("  strategies: ").append(strategies).append('\n');
      System.out.print(out);
    }
  }
}
