package online.hypermesh.protocol.stoq.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoCodecException;
import online.hypermesh.protocol.serialization.KryoMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the Kryo payload codec ({@link KryoCodec} with {@link ProtocolRegistrar}), i.e. what a
 * node does with a REQUEST payload and a client with a RESPONSE payload, with {@link
 * FuzzConfig#KRYO_ITERATIONS} mutated encodings of every API message: bit flips, interesting bytes
 * (varint continuation bits, 0x00/0xFF), truncation, appended/inserted bytes, splices of two
 * encodings, another class id, and noise.
 *
 * <p>Each input must decode to a {@link KryoMessage} that re-encodes to an equal value, or be
 * rejected with {@link KryoCodecException} carrying a message; nothing else may be thrown (not
 * even an Error such as OutOfMemoryError or StackOverflowError). The byte[] and direct-ByteBuffer
 * entry points must agree.
 *
 * <p>This fuzz found that Kryo's "class by name" id (1) made it call {@code Class.forName} on a
 * peer-chosen (even null) name; the resolver now refuses that id ({@link
 * #classByNameIsRejected()}).
 *
 * <p>Long run: {@code mvn -o -pl protocol test -Dtest=KryoFuzzTest
 * -Dhypermesh.fuzz.kryo.iterations=2000000 -Djunit.jupiter.execution.timeout.mode=disabled}
 */
class KryoFuzzTest {

  private static final int SLICE = 100_000;
  private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0xFE, 0xFF};

  private final KryoCodec codec = KryoCodec.of(new ProtocolRegistrar());
  private final List<Object> samples = ApiSamples.all();
  private final List<byte[]> encodings = samples.stream().map(codec::encode).toList();

  private long accepted;
  private long acceptedUnchanged;
  private long rejected;
  private final Map<String, Long> acceptedTypes = new TreeMap<>();
  private final Map<String, Long> rejectionKinds = new TreeMap<>();
  private volatile String current = "";

  @Test
  void samplesCoverEveryConcreteApiMessage() {
    List<Class<?>> sampled = samples.stream().<Class<?>>map(Object::getClass).toList();
    for (Class<?> root : List.of(AssetRequest.class, AssetResponse.class)) {
      for (Class<?> sub : root.getPermittedSubclasses()) {
        assertTrue(sampled.contains(sub), "no fuzz seed for " + sub.getName());
      }
    }
    for (int i = 0; i < samples.size(); i++) {
      assertEquals(samples.get(i), codec.decode(encodings.get(i)));
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void codecDecodesOrRejectsEveryMutation() {
    long started = System.nanoTime();
    for (long from = 0; from < FuzzConfig.KRYO_ITERATIONS; from += SLICE) {
      long first = from;
      long end = Math.min(FuzzConfig.KRYO_ITERATIONS, from + SLICE);
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () -> {
            for (long i = first; i < end; i++) {
              fuzzOne(i);
            }
          },
          () -> "inputs " + first + ".." + end + " took over 60 s; stuck on " + current);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "KryoFuzzTest: %,d inputs in %.1f s = %,.0f inputs/s, seed %d%n"
            + "  accepted: %,d (%,d identical to a sample's encoding) %s%n"
            + "  rejected: %,d (KryoCodecException) by kind %s%n",
        accepted + rejected, seconds, (accepted + rejected) / seconds,
        FuzzConfig.SEED, accepted, acceptedUnchanged, acceptedTypes, rejected, rejectionKinds);
    assertTrue(rejected > 0 || FuzzConfig.ITERATIONS < 100, "no mutation was rejected?");
  }

  private void fuzzOne(long index) {
    SplittableRandom random = new SplittableRandom(FuzzConfig.seedOf(index) ^ 0x4B52594FL);
    byte[] input = mutate(random);
    current = "input " + index + " (seed " + FuzzConfig.SEED + "): " + HexFormat.of().formatHex(input);
    Object value;
    try {
      value = codec.decode(input);
    } catch (KryoCodecException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        fail("rejection without a message for " + current);
      }
      rejected++;
      rejectionKinds.merge(kind(e.getMessage()), 1L, Long::sum);
      if (random.nextInt(8) == 0) {
        directMustAgree(input, null);
      }
      return;
    } catch (Throwable t) {
      throw new AssertionError("KryoCodec.decode threw " + t + " for " + current, t);
    }
    accepted++;
    if (!(value instanceof KryoMessage)) {
      fail("decoded a non-message " + value + " from " + current);
    }
    acceptedTypes.merge(value.getClass().getSimpleName(), 1L, Long::sum);
    if (encodings.stream().anyMatch(e -> Arrays.equals(e, input))) {
      acceptedUnchanged++;
    }
    try {
      String ignored = value.toString(); // records with odd content must still be usable
      Object again = codec.decode(codec.encode(value));
      if (!value.equals(again)) {
        fail("re-encoding changed " + value + " into " + again + " for " + current);
      }
    } catch (RuntimeException e) {
      throw new AssertionError("accepted value cannot be re-encoded: " + e + " for " + current, e);
    }
    if (random.nextInt(8) == 0) {
      directMustAgree(input, value);
    }
  }

  /** Class id 1 (by name), with a null name and with the name of a real class: both refused. */
  @Test
  void classByNameIsRejected() {
    byte[] nullName = HexFormat.of().parseHex("0102" + "80");
    org.junit.jupiter.api.Assertions.assertThrows(KryoCodecException.class, () -> codec.decode(nullName));
    byte[] name = "java.util.ArrayList".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    name[name.length - 1] |= (byte) 0x80; // Kryo's ASCII strings end with the high bit set
    byte[] realName = new byte[3 + name.length];
    realName[0] = 0x01;
    realName[1] = 0x01;
    realName[2] = 0x00;
    System.arraycopy(name, 0, realName, 3, name.length);
    org.junit.jupiter.api.Assertions.assertThrows(KryoCodecException.class, () -> codec.decode(realName));
  }

  /** decode(ByteBuffer) on a direct buffer must give the same value, or also reject. */
  private void directMustAgree(byte[] input, Object expected) {
    ByteBuffer direct = ByteBuffer.allocateDirect(input.length + 3);
    direct.put(new byte[] {9, 9, 9}).put(input).flip().position(3);
    Object value;
    try {
      value = codec.decode(direct);
    } catch (KryoCodecException e) {
      if (expected != null) {
        fail("direct buffer rejected (" + e.getMessage() + ") what byte[] accepted: " + current);
      }
      return;
    } catch (Throwable t) {
      throw new AssertionError("decode(ByteBuffer) threw " + t + " for " + current, t);
    }
    if (!value.equals(expected)) {
      fail("direct buffer decoded " + value + ", byte[] " + expected + ": " + current);
    }
  }

  private byte[] mutate(SplittableRandom random) {
    byte[] base = encodings.get(random.nextInt(encodings.size())).clone();
    int rounds = 1 + (random.nextInt(3) == 0 ? random.nextInt(3) : 0);
    for (int round = 0; round < rounds; round++) {
      base = mutateOnce(base, random);
    }
    return base;
  }

  private byte[] mutateOnce(byte[] bytes, SplittableRandom random) {
    int n = bytes.length;
    switch (random.nextInt(10)) {
      case 0 -> {
        return bytes; // unchanged: must round-trip
      }
      case 1 -> {
        if (n > 0) {
          bytes[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
        }
        return bytes;
      }
      case 2 -> {
        if (n > 0) {
          bytes[random.nextInt(n)] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
        }
        return bytes;
      }
      case 3 -> {
        return Arrays.copyOf(bytes, n == 0 ? 0 : random.nextInt(n));
      }
      case 4 -> {
        byte[] tail = new byte[1 + random.nextInt(8)];
        random.nextBytes(tail);
        return FrameInputs.concat(bytes, tail);
      }
      case 5 -> {
        byte[] junk = new byte[1 + random.nextInt(4)];
        for (int i = 0; i < junk.length; i++) {
          junk[i] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
        }
        int at = random.nextInt(n + 1);
        return FrameInputs.concat(Arrays.copyOf(bytes, at), junk, Arrays.copyOfRange(bytes, at, n));
      }
      case 6 -> {
        byte[] other = encodings.get(random.nextInt(encodings.size()));
        int cut = random.nextInt(n + 1);
        int from = random.nextInt(other.length + 1);
        return FrameInputs.concat(Arrays.copyOf(bytes, cut), Arrays.copyOfRange(other, from, other.length));
      }
      case 7 -> {
        // Another class id (Kryo writes id + 2 as a varint in the first byte for these ids).
        if (n > 0) {
          bytes[0] = (byte) (random.nextBoolean() ? 200 + 2 + random.nextInt(12) : random.nextInt(256));
        }
        return bytes;
      }
      case 8 -> {
        // A length/varint field claiming a lot: 0xFF... continuation run.
        if (n > 0) {
          int at = random.nextInt(n);
          int run = 1 + random.nextInt(5);
          for (int i = at; i < Math.min(n, at + run); i++) {
            bytes[i] = (byte) (i == at + run - 1 ? 0x0F : 0xFF);
          }
        }
        return bytes;
      }
      default -> {
        byte[] noise = new byte[random.nextInt(48)];
        random.nextBytes(noise);
        return noise;
      }
    }
  }

  /** The first words of a rejection, for the summary. */
  private static String kind(String message) {
    String head = message.replaceAll("[0-9]+", "N");
    int colon = head.indexOf(':');
    head = colon > 0 ? head.substring(0, colon) : head;
    return head.length() > 40 ? head.substring(0, 40) : head;
  }
}
