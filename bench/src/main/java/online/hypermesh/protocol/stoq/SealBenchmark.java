package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import online.hypermesh.protocol.crypto.AesGcm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * STOQ payload sealing: seal + open of one payload (default 1 MiB, so the score is µs per MiB
 * sealed and opened) between two {@link StoqSession}s with mirrored keys.
 *
 * <ul>
 *   <li>{@code legacy}: the code before the zero-copy change, inlined here: payload copied to a
 *       {@code byte[]}, a new {@code Cipher} per call ({@link AesGcm}'s array API), the result
 *       wrapped; the same again to open.
 *   <li>{@code buffers}: {@link StoqSession#seal(ByteBufAllocator, Frame, long, long)} / {@link
 *       StoqSession#open(ByteBufAllocator, Frame, long, long)}: one cached cipher per direction,
 *       {@code doFinal(ByteBuffer, ByteBuffer)}: heap payload sealed into a pooled direct buffer,
 *       opened into a pooled heap buffer.
 * </ul>
 *
 * <p>Lives in the {@code stoq} package (split into the bench jar) for access to the
 * package-private session. Run: {@code java -cp "bench/target/hypermesh-bench.jar:bench/target/lib/*"
 * org.openjdk.jmh.Main SealBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SealBenchmark {

  @Param({"1048576"})
  public int payloadBytes;

  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private StoqSession client;
  private StoqSession server;
  private AesGcm legacySend;
  private byte[] legacyIv;
  private ByteBuf payload;
  private long counter;

  @Setup(Level.Trial)
  public void setup() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    byte[] iv1 = new byte[12];
    byte[] iv2 = new byte[12];
    random.nextBytes(k1);
    random.nextBytes(k2);
    random.nextBytes(iv1);
    random.nextBytes(iv2);
    client = new StoqSession(null, true, new AesGcm(k1), iv1, new AesGcm(k2), iv2);
    server = new StoqSession(null, true, new AesGcm(k2), iv2, new AesGcm(k1), iv1);
    legacySend = new AesGcm(k1);
    legacyIv = iv1;
    byte[] bytes = new byte[payloadBytes];
    random.nextBytes(bytes);
    // What a client seals: its byte[] request, wrapped.
    payload = Unpooled.wrappedBuffer(bytes);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    payload.release();
  }

  /** Before: byte[] copies and a new Cipher per seal and per open. */
  @Benchmark
  public int legacy() throws Exception {
    long n = counter++;
    Frame frame = Frame.request(n, payload.retainedDuplicate());
    byte[] aad = StoqSession.aad(frame);
    byte[] plain = new byte[payloadBytes];
    frame.payload().getBytes(frame.payload().readerIndex(), plain);
    frame.release();
    byte[] sealed = legacySend.seal(StoqSession.nonce(legacyIv, 4, n), aad, plain, 0, plain.length);
    ByteBuf sealedBuf = Unpooled.wrappedBuffer(sealed);
    byte[] copy = new byte[sealedBuf.readableBytes()];
    sealedBuf.getBytes(0, copy);
    sealedBuf.release();
    // The receiving side of the legacy path, with the same key (opened by a fresh Cipher).
    byte[] opened = legacySend.open(StoqSession.nonce(legacyIv, 4, n), aad, copy, 0, copy.length);
    ByteBuf result = Unpooled.wrappedBuffer(opened);
    int size = result.readableBytes();
    result.release();
    return size;
  }

  /** After: cached ciphers, ByteBuffer views of pooled direct buffers. */
  @Benchmark
  public int buffers() {
    long n = counter++;
    Frame sealed = client.seal(alloc, Frame.request(n, payload.retainedDuplicate()), 4, n);
    Frame opened = server.open(alloc, sealed, 4, n);
    int size = opened.payload().readableBytes();
    opened.release();
    return size;
  }
}
