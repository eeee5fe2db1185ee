package online.hypermesh.protocol.stoq.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import online.hypermesh.protocol.stoq.ErrorPayload;
import online.hypermesh.protocol.stoq.FrameCodec;
import online.hypermesh.protocol.stoq.StoqError;

/**
 * Structure-aware generator of STOQ byte streams: it builds well-formed frames (REQUEST/RESPONSE
 * with random or Kryo payloads, ERROR with valid error payloads), then applies a few stacked
 * mutations that know where the fields are: bit flips, interesting bytes, truncation, length
 * prefixes that lie, huge declared lengths, unknown versions/types/flags, broken error payloads,
 * inserted/deleted/duplicated ranges, concatenations and pure noise.
 *
 * <p>Deterministic: the same random state gives the same input.
 */
final class FrameInputs {

  /** What was generated and how (the first mutation names the input's strategy). */
  record Input(byte[] bytes, String strategy) {}

  static final String[] STRATEGIES = {
    "valid", "bit-flips", "interesting-bytes", "truncation", "length-lie", "huge-length",
    "bad-version", "bad-type", "bad-flags", "bad-error-payload", "insert", "delete",
    "duplicate", "concatenation", "noise", "noise-around"
  };

  private static final int[] INTERESTING_BYTES = {0, 1, 2, 3, 4, 5, 0x0C, 0x7F, 0x80, 0xFE, 0xFF};
  private static final String[] MESSAGES = {
    "", "x", "bad request", "ü€𝄞 non-ASCII", "no answer within 5000 ms", "internal error"
  };

  private final List<byte[]> apiPayloads;

  /** @param apiPayloads realistic REQUEST/RESPONSE payloads (Kryo encodings of API messages) */
  FrameInputs(List<byte[]> apiPayloads) {
    this.apiPayloads = List.copyOf(apiPayloads);
  }

  Input next(SplittableRandom random, int maxFrameBytes) {
    return next(random, maxFrameBytes, false);
  }

  /** @param requestStream also write the frames of a request stream (types 5-7, download flag) */
  Input next(SplittableRandom random, int maxFrameBytes, boolean requestStream) {
    return next(random, maxFrameBytes, 0, requestStream);
  }

  private Input next(SplittableRandom random, int maxFrameBytes, int depth,
      boolean requestStream) {
    Builder out = new Builder();
    List<Integer> starts = new ArrayList<>();
    int strategy = pickStrategy(random);
    if (strategy == 14) { // pure noise
      byte[] noise = new byte[random.nextInt(10) == 0 ? random.nextInt(512) : random.nextInt(40)];
      random.nextBytes(noise);
      return new Input(noise, STRATEGIES[strategy]);
    }
    int frames = 1 + random.nextInt(random.nextInt(8) == 0 ? 8 : 3);
    for (int f = 0; f < frames; f++) {
      starts.add(out.size);
      writeFrame(out, random, maxFrameBytes, strategy == 9 && random.nextBoolean(), requestStream);
    }
    byte[] bytes = out.toArray();
    bytes = mutate(bytes, starts, strategy, random, maxFrameBytes, depth, requestStream);
    // Sometimes stack one or two more mutations on top.
    int extra = random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0;
    for (int k = 0; k < extra; k++) {
      int more = 1 + random.nextInt(STRATEGIES.length - 1);
      if (more == 14 || more == 13) {
        more = 1;
      }
      bytes = mutate(bytes, starts, more, random, maxFrameBytes, depth, requestStream);
    }
    return new Input(bytes, STRATEGIES[strategy]);
  }

  private static int pickStrategy(SplittableRandom random) {
    // ~12% untouched valid streams, the rest spread over the mutations.
    return random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(STRATEGIES.length - 1);
  }

  private byte[] mutate(
      byte[] bytes, List<Integer> starts, int strategy, SplittableRandom random, int max,
      int depth, boolean requestStream) {
    switch (strategy) {
      case 0, 9 -> {
        return bytes; // valid, or the damage was done while writing the error payload
      }
      case 1 -> {
        int flips = 1 + random.nextInt(8);
        for (int k = 0; k < flips && bytes.length > 0; k++) {
          int at = random.nextInt(3) != 0 ? headerPosition(bytes, starts, random)
              : random.nextInt(bytes.length);
          bytes[at] ^= (byte) (1 << random.nextInt(8));
        }
        return bytes;
      }
      case 2 -> {
        int sets = 1 + random.nextInt(4);
        for (int k = 0; k < sets && bytes.length > 0; k++) {
          int at = random.nextBoolean() ? headerPosition(bytes, starts, random)
              : random.nextInt(bytes.length);
          bytes[at] = (byte) INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
        }
        return bytes;
      }
      case 3 -> {
        return bytes.length == 0 ? bytes : Arrays.copyOf(bytes, random.nextInt(bytes.length));
      }
      case 4 -> {
        int start = frameStart(bytes, starts, random, 4);
        if (start >= 0) {
          long actual = readU32(bytes, start);
          putU32(bytes, start, lyingLength(actual, random, max));
        }
        return bytes;
      }
      case 5 -> {
        byte[] prefix = new byte[4];
        putU32(prefix, 0, hugeLength(random, max));
        byte[] tail = random.nextBoolean() ? bytes : Arrays.copyOf(bytes, random.nextInt(8));
        return random.nextBoolean() ? concat(prefix, tail) : concat(bytes, prefix);
      }
      case 6 -> {
        int start = frameStart(bytes, starts, random, 5);
        if (start >= 0) {
          int version;
          do {
            version = random.nextInt(256);
          } while (version == FrameCodec.VERSION && random.nextInt(10) != 0);
          bytes[start + 4] = (byte) version;
        }
        return bytes;
      }
      case 7 -> {
        int start = frameStart(bytes, starts, random, 6);
        if (start >= 0) {
          int[] reserved = {0, 4, 5, 6, 7, 8, 9, 0x7F, 0x80, 0xFF};
          bytes[start + 5] = (byte) (random.nextBoolean()
              ? reserved[random.nextInt(reserved.length)] : random.nextInt(256));
        }
        return bytes;
      }
      case 8 -> {
        int start = frameStart(bytes, starts, random, 8);
        if (start >= 0) {
          int flags = random.nextBoolean() ? 1 << random.nextInt(16) : random.nextInt(0x10000);
          bytes[start + 6] = (byte) (flags >>> 8);
          bytes[start + 7] = (byte) flags;
        }
        return bytes;
      }
      case 10 -> {
        byte[] junk = new byte[1 + random.nextInt(random.nextBoolean() ? 4 : 32)];
        random.nextBytes(junk);
        int at = random.nextInt(bytes.length + 1);
        return concat(Arrays.copyOf(bytes, at), junk, Arrays.copyOfRange(bytes, at, bytes.length));
      }
      case 11 -> {
        if (bytes.length == 0) {
          return bytes;
        }
        int from = random.nextInt(bytes.length);
        int to = Math.min(bytes.length, from + 1 + random.nextInt(16));
        return concat(Arrays.copyOf(bytes, from), Arrays.copyOfRange(bytes, to, bytes.length));
      }
      case 12 -> {
        if (bytes.length == 0) {
          return bytes;
        }
        int from = random.nextInt(bytes.length);
        int to = Math.min(bytes.length, from + 1 + random.nextInt(32));
        byte[] piece = Arrays.copyOfRange(bytes, from, to);
        int at = random.nextInt(bytes.length + 1);
        return concat(Arrays.copyOf(bytes, at), piece, Arrays.copyOfRange(bytes, at, bytes.length));
      }
      case 13 -> {
        if (depth > 1) {
          return bytes;
        }
        byte[] other = next(random, max, depth + 1, requestStream).bytes();
        return random.nextBoolean() ? concat(bytes, other) : concat(other, bytes);
      }
      case 15 -> {
        byte[] before = new byte[random.nextInt(6)];
        byte[] after = new byte[random.nextInt(6)];
        random.nextBytes(before);
        random.nextBytes(after);
        return concat(before, bytes, after);
      }
      default -> throw new IllegalArgumentException("strategy " + strategy);
    }
  }

  /** Writes one well-formed frame; {@code breakErrorPayload} makes an ERROR frame's payload bad. */
  private void writeFrame(Builder out, SplittableRandom random, int max, boolean breakErrorPayload,
      boolean requestStream) {
    int[] streamTypes = {1, 2, 3, 5, 6, 7, 8};
    int type = breakErrorPayload ? 3
        : requestStream ? streamTypes[random.nextInt(streamTypes.length)] : 1 + random.nextInt(3);
    byte[] payload = type == 3 ? errorPayload(random, breakErrorPayload)
        : type == 6 || type == 7 ? new byte[0] : payload(random, max);
    out.u32(FrameCodec.HEADER_BYTES + payload.length);
    out.u8(FrameCodec.VERSION);
    out.u8(type);
    out.u16(requestStream && type == 1 && random.nextBoolean() ? FrameCodec.FLAG_DOWNLOAD
        : requestStream && type == 8 && random.nextBoolean() ? FrameCodec.FLAG_LINK_OPEN : 0);
    out.u64(random.nextInt(4) == 0 ? random.nextInt(3) - 1 : random.nextLong());
    out.bytes(payload);
  }

  private byte[] payload(SplittableRandom random, int max) {
    int kind = random.nextInt(20);
    if (kind < 8) {
      byte[] api = apiPayloads.get(random.nextInt(apiPayloads.size()));
      return random.nextInt(4) == 0 ? Arrays.copyOf(api, random.nextInt(api.length + 1)) : api;
    }
    if (kind < 10) {
      return new byte[0];
    }
    if (kind == 10) {
      // At or just over the limit.
      int largest = max - FrameCodec.MIN_FRAME_BYTES;
      byte[] big = new byte[Math.min(largest + random.nextInt(2), 4096)];
      random.nextBytes(big);
      return big;
    }
    byte[] bytes = new byte[random.nextInt(random.nextInt(16) == 0 ? 600 : 48)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] errorPayload(SplittableRandom random, boolean broken) {
    int code = switch (random.nextInt(3)) {
      case 0 -> StoqError.values()[random.nextInt(StoqError.values().length)].code();
      case 1 -> 1 + random.nextInt(0xFFFF);
      default -> 0xFFFF;
    };
    byte[] message;
    if (random.nextInt(8) == 0) {
      message = "€".repeat(ErrorPayload.MAX_MESSAGE_BYTES / 3).getBytes(StandardCharsets.UTF_8);
      message = Arrays.copyOf(message, ErrorPayload.MAX_MESSAGE_BYTES); // 1024: '€'x341 + 1 stray byte
      message[message.length - 1] = 'x';
    } else {
      message = MESSAGES[random.nextInt(MESSAGES.length)].getBytes(StandardCharsets.UTF_8);
    }
    if (broken) {
      switch (random.nextInt(6)) {
        case 0 -> code = 0;
        case 1 -> {
          return random.nextBoolean() ? new byte[0] : new byte[] {(byte) random.nextInt(256)};
        }
        case 2 -> message = concat(message, new byte[] {(byte) 0xC3, 0x28}); // bad continuation
        case 3 -> message = concat(message, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // surrogate
        case 4 -> message = concat(message, new byte[] {(byte) 0xC0, (byte) 0xAF}); // overlong '/'
        default -> {
          message = new byte[ErrorPayload.MAX_MESSAGE_BYTES + 1 + random.nextInt(3)];
          Arrays.fill(message, (byte) 'a');
        }
      }
    }
    byte[] payload = new byte[ErrorPayload.CODE_BYTES + message.length];
    payload[0] = (byte) (code >>> 8);
    payload[1] = (byte) code;
    System.arraycopy(message, 0, payload, 2, message.length);
    return payload;
  }

  private static long lyingLength(long actual, SplittableRandom random, int max) {
    return switch (random.nextInt(12)) {
      case 0 -> 0;
      case 1 -> 1 + random.nextInt(FrameCodec.HEADER_BYTES - 1); // 1..11: shorter than the header
      case 2 -> FrameCodec.HEADER_BYTES;
      case 3 -> actual - 1;
      case 4 -> actual + 1;
      case 5 -> Math.max(0, actual - 1 - random.nextInt(16));
      case 6 -> actual + 1 + random.nextInt(64);
      case 7 -> max - FrameCodec.LENGTH_FIELD_BYTES; // the largest legal length
      case 8 -> max - FrameCodec.LENGTH_FIELD_BYTES + 1; // one too many
      default -> hugeLength(random, max);
    };
  }

  private static long hugeLength(SplittableRandom random, int max) {
    long[] huge = {0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 0xFFFFFFF0L, 0xFFFFFFF4L, (long) max * 2,
        StoqLimits.MAX_MAX_FRAME_BYTES, 1L << 24};
    return random.nextInt(4) == 0 ? random.nextLong(1L << 32) : huge[random.nextInt(huge.length)];
  }

  /** A position inside some frame's 16-byte header (or anywhere, for short inputs). */
  private static int headerPosition(byte[] bytes, List<Integer> starts, SplittableRandom random) {
    int start = starts.get(random.nextInt(starts.size()));
    int at = start + random.nextInt(FrameCodec.MIN_FRAME_BYTES);
    return at < bytes.length ? at : random.nextInt(bytes.length);
  }

  /** A frame start with at least {@code need} bytes after it, or -1. */
  private static int frameStart(byte[] bytes, List<Integer> starts, SplittableRandom random, int need) {
    int start = starts.get(random.nextInt(starts.size()));
    return start + need <= bytes.length ? start : (need <= bytes.length ? 0 : -1);
  }

  static long readU32(byte[] bytes, int at) {
    return ((bytes[at] & 0xFFL) << 24) | ((bytes[at + 1] & 0xFFL) << 16)
        | ((bytes[at + 2] & 0xFFL) << 8) | (bytes[at + 3] & 0xFFL);
  }

  private static void putU32(byte[] bytes, int at, long value) {
    bytes[at] = (byte) (value >>> 24);
    bytes[at + 1] = (byte) (value >>> 16);
    bytes[at + 2] = (byte) (value >>> 8);
    bytes[at + 3] = (byte) value;
  }

  static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  /** Cut points (strictly increasing, inside the input) for delivering it over several reads. */
  static int[] splits(SplittableRandom random, int length) {
    if (length < 2) {
      return new int[0];
    }
    int kind = random.nextInt(10);
    int count;
    if (kind < 3) {
      count = 0; // one read
    } else if (kind < 8) {
      count = 1 + random.nextInt(Math.min(4, length - 1));
    } else if (kind == 8 || length > 512) {
      count = 1 + random.nextInt(Math.min(64, length - 1)); // many small reads
    } else {
      count = length - 1; // one byte per read
    }
    if (count == length - 1) {
      int[] all = new int[count];
      for (int i = 0; i < count; i++) {
        all[i] = i + 1;
      }
      return all;
    }
    int[] cuts = random.ints(count, 1, length).distinct().sorted().toArray();
    return cuts;
  }

  /** Growable big-endian byte sink. */
  private static final class Builder {
    private byte[] bytes = new byte[256];
    private int size;

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    void u8(int v) {
      ensure(1);
      bytes[size++] = (byte) v;
    }

    void u16(int v) {
      u8(v >>> 8);
      u8(v);
    }

    void u32(long v) {
      u16((int) (v >>> 16) & 0xFFFF);
      u16((int) v & 0xFFFF);
    }

    void u64(long v) {
      u32(v >>> 32);
      u32(v & 0xFFFFFFFFL);
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, bytes, size, b.length);
      size += b.length;
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, size);
    }
  }

  /** Limits from the settings record, named here so the generator reads clearly. */
  private static final class StoqLimits {
    static final long MAX_MAX_FRAME_BYTES =
        online.hypermesh.protocol.stoq.StoqSettings.MAX_MAX_FRAME_BYTES;
  }
}
