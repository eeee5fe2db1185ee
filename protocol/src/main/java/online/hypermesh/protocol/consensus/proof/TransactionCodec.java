package online.hypermesh.protocol.consensus.proof;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * The wire form of a {@link Transaction} (in blocks and on STOQ). Big-endian; every length is
 * checked against its bound before anything is allocated; flags are exactly 0 or 1 and no bytes
 * may follow the end, so one transaction has exactly one encoding.
 *
 * <pre>
 * u8  version = 1
 * u8  kind code
 * u32 payload length (0..64 KiB), payload
 * u8  certificates (1..4), each: u16 length (1..16 KiB), DER
 * u64 nonce
 * u64 timestamp (ms)
 * u8  job flag;   if 1: u8 id length (1..64), id, result digest (32)
 * u8  stake flag; if 1: u16 signature length (1..1462), signature
 * u8  work flag;  if 1: u64 hashcash nonce
 * u8  space flag; if 1: address (16), u8 region length (1..64), region (UTF-8),
 *                       u8 openings (0..64), each: u16 leaf length (1..4096), leaf,
 *                                                  u8 path length (0..32), path hashes (32 each)
 * u8  time flag;  if 1: u64 tick count (>= 0), tick hash (32)
 * </pre>
 */
public final class TransactionCodec {

  public static final int VERSION = 1;
  /** Above the largest valid encoding (about 460 KB with every field at its bound). */
  public static final int MAX_ENCODED_BYTES = 512 * 1024;

  private TransactionCodec() {}

  /** The result of {@link #decode}: a transaction or why the bytes are not one. */
  public sealed interface Decoded permits Valid, Malformed {}

  public record Valid(Transaction transaction) implements Decoded {}

  public record Malformed(String reason) implements Decoded {}

  public static byte[] encode(Transaction tx) {
    Writer out = new Writer();
    out.u8(VERSION);
    out.u8(tx.kind().code());
    out.u32(tx.payloadBytes().length);
    out.bytes(tx.payloadBytes());
    out.u8(tx.chainBytes().size());
    for (byte[] der : tx.chainBytes()) {
      out.u16(der.length);
      out.bytes(der);
    }
    out.u64(tx.nonce());
    out.u64(tx.timestampMillis());
    JobClaim job = tx.job();
    out.u8(job == null ? 0 : 1);
    if (job != null) {
      out.u8(job.jobId().length);
      out.bytes(job.jobId());
      out.bytes(job.resultDigest());
    }
    StakeProof stake = tx.stake();
    out.u8(stake == null ? 0 : 1);
    if (stake != null) {
      out.u16(stake.signature().length);
      out.bytes(stake.signature());
    }
    WorkProof work = tx.work();
    out.u8(work == null ? 0 : 1);
    if (work != null) {
      out.u64(work.nonce());
    }
    SpaceProof space = tx.space();
    out.u8(space == null ? 0 : 1);
    if (space != null) {
      out.bytes(space.claim().address());
      byte[] region = space.claim().region().getBytes(StandardCharsets.UTF_8);
      out.u8(region.length);
      out.bytes(region);
      out.u8(space.openings().size());
      for (PlotOpening opening : space.openings()) {
        out.u16(opening.leaf().length);
        out.bytes(opening.leaf());
        out.u8(opening.path().size());
        for (byte[] hash : opening.path()) {
          out.bytes(hash);
        }
      }
    }
    TimeProof time = tx.time();
    out.u8(time == null ? 0 : 1);
    if (time != null) {
      out.u64(time.tickCount());
      out.bytes(time.tickHash());
    }
    return out.toByteArray();
  }

  /** Never throws: anything but exactly one valid encoding is {@link Malformed}. */
  /**
   * The kind code an encoding announces, read from its second byte without decoding the rest: a
   * hint for filtering (the full decode decides whether it is a transaction at all).
   */
  public static java.util.Optional<TransactionKind> peekKind(byte[] encoded) {
    if (encoded == null || encoded.length < 2 || (encoded[0] & 0xff) != VERSION) {
      return java.util.Optional.empty();
    }
    return TransactionKind.fromCode(encoded[1] & 0xff);
  }

  public static Decoded decode(byte[] encoded) {
    if (encoded == null) {
      return new Malformed("no bytes");
    }
    if (encoded.length > MAX_ENCODED_BYTES) {
      return new Malformed(
          encoded.length + " bytes exceed the limit of " + MAX_ENCODED_BYTES);
    }
    try {
      return new Valid(read(ByteBuffer.wrap(encoded)));
    } catch (Bad e) {
      return new Malformed(e.getMessage());
    } catch (BufferUnderflowException e) {
      return new Malformed("truncated");
    } catch (IllegalArgumentException e) {
      return new Malformed(e.getMessage());
    }
  }

  private static Transaction read(ByteBuffer in) throws Bad {
    int version = in.get() & 0xff;
    if (version != VERSION) {
      throw new Bad("unknown version " + version);
    }
    int code = in.get() & 0xff;
    Optional<TransactionKind> kind = TransactionKind.fromCode(code);
    if (kind.isEmpty()) {
      throw new Bad("unknown transaction kind " + code);
    }
    byte[] payload = bytes(in, length(in.getInt(), 0, Transaction.MAX_PAYLOAD_BYTES, "payload"));
    int certificates = length(in.get() & 0xff, 1, Transaction.MAX_CHAIN, "certificate count");
    List<byte[]> chain = new ArrayList<>(certificates);
    for (int i = 0; i < certificates; i++) {
      chain.add(bytes(in,
          length(in.getShort() & 0xffff, 1, Transaction.MAX_CERTIFICATE_BYTES, "certificate")));
    }
    long nonce = in.getLong();
    long timestamp = in.getLong();
    JobClaim job = null;
    if (flag(in, "job")) {
      byte[] id = bytes(in, length(in.get() & 0xff, 1, JobClaim.MAX_JOB_ID_BYTES, "job id"));
      job = new JobClaim(id, bytes(in, JobClaim.DIGEST_BYTES));
    }
    StakeProof stake = null;
    if (flag(in, "stake")) {
      stake = new StakeProof(bytes(in,
          length(in.getShort() & 0xffff, 1, Falcon.MAX_SIGNATURE_BYTES, "signature")));
    }
    WorkProof work = flag(in, "work") ? new WorkProof(in.getLong()) : null;
    SpaceProof space = null;
    if (flag(in, "space")) {
      byte[] address = bytes(in, LocationClaim.ADDRESS_BYTES);
      byte[] region = bytes(in,
          length(in.get() & 0xff, 1, LocationClaim.MAX_REGION_BYTES, "region"));
      int count = length(in.get() & 0xff, 0, ChainParameters.MAX_CHALLENGES, "opening count");
      List<PlotOpening> openings = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] leaf = bytes(in,
            length(in.getShort() & 0xffff, 1, ChainParameters.MAX_LEAF_BYTES, "leaf"));
        int depth = length(in.get() & 0xff, 0, PlotOpening.MAX_PATH, "path length");
        List<byte[]> path = new ArrayList<>(depth);
        for (int d = 0; d < depth; d++) {
          path.add(bytes(in, 32));
        }
        openings.add(new PlotOpening(leaf, path));
      }
      space = new SpaceProof(new LocationClaim(address, utf8(region)), openings);
    }
    TimeProof time = null;
    if (flag(in, "time")) {
      long tickCount = in.getLong();
      if (tickCount < 0) {
        throw new Bad("negative tick count");
      }
      time = new TimeProof(tickCount, bytes(in, TimeProof.HASH_BYTES));
    }
    if (in.hasRemaining()) {
      throw new Bad(in.remaining() + " bytes after the end");
    }
    return new Transaction(kind.get(), payload, chain, nonce, timestamp, job, stake, work, space,
        time);
  }

  private static int length(int value, int min, int max, String what) throws Bad {
    if (value < min || value > max) {
      throw new Bad(what + " " + value + " is outside " + min + ".." + max);
    }
    return value;
  }

  private static boolean flag(ByteBuffer in, String what) throws Bad {
    int flag = in.get();
    if (flag != 0 && flag != 1) {
      throw new Bad(what + " flag must be 0 or 1, not " + flag);
    }
    return flag == 1;
  }

  /** Checks the remaining length before allocating. */
  private static byte[] bytes(ByteBuffer in, int n) throws Bad {
    if (n > in.remaining()) {
      throw new Bad("truncated: " + n + " bytes announced, " + in.remaining() + " left");
    }
    byte[] bytes = new byte[n];
    in.get(bytes);
    return bytes;
  }

  private static String utf8(byte[] bytes) throws Bad {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new Bad("region is not UTF-8");
    }
  }

  private static final class Bad extends Exception {
    Bad(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Writer {
    private byte[] buffer = new byte[4096];
    private int size;

    void u8(int v) {
      ensure(1);
      buffer[size++] = (byte) v;
    }

    void u16(int v) {
      u8(v >>> 8);
      u8(v);
    }

    void u32(int v) {
      u16(v >>> 16);
      u16(v);
    }

    void u64(long v) {
      u32((int) (v >>> 32));
      u32((int) v);
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buffer, size, b.length);
      size += b.length;
    }

    private void ensure(int n) {
      if (size + n > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + n));
      }
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buffer, size);
    }
  }
}
