package online.hypermesh.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import online.hypermesh.protocol.stoq.Frame;
import online.hypermesh.protocol.stoq.FrameCodec;
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
 * STOQ frame encode/decode cost per frame (divide by the payload size for per-MB figures). Run with
 * {@code java -cp "bench/target/hypermesh-bench.jar:bench/target/lib/*" org.openjdk.jmh.Main
 * FrameCodecBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {

  @Param({"64", "524288"})
  public int payloadBytes;

  private static final int MAX = 1024 * 1024;

  private ByteBuf payload;
  private ByteBuf encoded;
  private ByteBuf out;

  @Setup(Level.Trial)
  public void setup() {
    payload = Unpooled.directBuffer(payloadBytes).writeZero(payloadBytes);
    encoded = Unpooled.directBuffer(payloadBytes + FrameCodec.MIN_FRAME_BYTES);
    FrameCodec.encode(Frame.request(1, payload.retainedDuplicate()), encoded, MAX);
    out = Unpooled.directBuffer(payloadBytes + FrameCodec.MIN_FRAME_BYTES);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    payload.release();
    encoded.release();
    out.release();
  }

  /** Encode into a reused buffer: header + one payload copy. */
  @Benchmark
  public int encodeInto() {
    out.clear();
    FrameCodec.encode(new Frame(online.hypermesh.protocol.stoq.FrameType.REQUEST, 0, 7, payload), out, MAX);
    return out.readableBytes();
  }

  /** Encode into a new pooled I/O buffer, as the client and server do, then release it. */
  @Benchmark
  public int encodePooled() {
    ByteBuf buf = FrameCodec.encode(PooledByteBufAllocator.DEFAULT,
        new Frame(online.hypermesh.protocol.stoq.FrameType.REQUEST, 0, 7, payload), MAX);
    int n = buf.readableBytes();
    buf.release();
    return n;
  }

  /** Decode: header checks and a retained slice of the payload (no copy). */
  @Benchmark
  public long decode() {
    encoded.readerIndex(0);
    Frame frame = FrameCodec.decode(encoded, MAX);
    long id = frame.correlationId() + frame.payload().readableBytes();
    frame.release();
    return id;
  }
}
