package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * The server's frame path for one sealed request and its echoed response, on a pooled direct
 * receive buffer as the QUIC stream delivers it: decode → open → handler → seal → encode (the
 * encoded response is released where the stream would write it). Run with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} is the Java heap allocated per request; each op moves
 * 2 × payloadBytes of payload (request in, echo out), so per MB transferred = B/op ÷ (2 ×
 * payloadBytes / 10^6).
 *
 * <ul>
 *   <li>{@code legacy}: the code before the zero-copy change, inlined: open and seal through
 *       {@code byte[]} copies with a new {@code Cipher} each, a {@code byte[]} handler answer
 *       ({@code StoqHandler.handle}: the handler must copy the payload out), then the sealed
 *       answer copied again into the I/O buffer by {@link FrameCodec#encode(ByteBufAllocator,
 *       Frame, int)}.
 *   <li>{@code zeroCopy}: what {@code ServerStreamHandler} does now: open into a pooled direct
 *       buffer, {@code StoqHandler.handleBuffer} answering a retained slice of the request, and
 *       {@link StoqSession#encode} sealing it straight into the pooled I/O buffer.
 * </ul>
 *
 * The request is sealed once in setup under (stream 4, frame 0) and opened again by every op
 * (re-opening a ciphertext under the same nonce is harmless); responses get a new nonce each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FramePathBenchmark {

  private static final int MAX_FRAME = 16 * 1024 * 1024;
  private static final long STREAM = 4;

  @Param({"524288"})
  public int payloadBytes;

  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private StoqSession server;
  private AesGcm legacyReceive;
  private byte[] legacyReceiveIv;
  private AesGcm legacySend;
  private byte[] legacySendIv;
  private ByteBuf wire;
  private long sent;

  private final StoqHandler legacyHandler =
      payload -> CompletableFuture.completedFuture(ByteBufUtil.getBytes(payload));

  private final StoqHandler zeroCopyHandler =
      new StoqHandler() {
        @Override
        public CompletionStage<byte[]> handle(ByteBuf payload) {
          return CompletableFuture.completedFuture(ByteBufUtil.getBytes(payload));
        }

        @Override
        public CompletionStage<ByteBuf> handleBuffer(StoqPeer peer, ByteBuf payload) {
          return CompletableFuture.completedFuture(payload.retainedSlice());
        }
      };

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
    StoqSession client = new StoqSession(null, true, new AesGcm(k1), iv1, new AesGcm(k2), iv2);
    server = new StoqSession(null, true, new AesGcm(k2), iv2, new AesGcm(k1), iv1);
    legacyReceive = new AesGcm(k1);
    legacyReceiveIv = iv1;
    legacySend = new AesGcm(k2);
    legacySendIv = iv2;
    byte[] bytes = new byte[payloadBytes];
    random.nextBytes(bytes);
    Frame request = Frame.request(1, Unpooled.wrappedBuffer(bytes));
    ByteBuf encoded = client.encode(alloc, request, STREAM, 0, MAX_FRAME);
    request.release();
    wire = Unpooled.directBuffer(encoded.readableBytes()).writeBytes(encoded);
    encoded.release();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    wire.release();
  }

  @Benchmark
  public int legacy() throws Exception {
    Frame frame = FrameCodec.decode(wire.duplicate(), MAX_FRAME, false, true);
    byte[] sealedIn = new byte[frame.payload().readableBytes()];
    frame.payload().getBytes(frame.payload().readerIndex(), sealedIn);
    byte[] plain = legacyReceive.open(StoqSession.nonce(legacyReceiveIv, STREAM, 0),
        StoqSession.aad(frame), sealedIn, 0, sealedIn.length);
    long correlationId = frame.correlationId();
    frame.release();
    Frame opened = Frame.request(correlationId, Unpooled.wrappedBuffer(plain));
    byte[] answer;
    try {
      answer = legacyHandler.handle(null, opened.payload()).toCompletableFuture().join();
    } finally {
      opened.release();
    }
    Frame reply = Frame.response(correlationId, Unpooled.wrappedBuffer(answer));
    byte[] plainOut = new byte[reply.payload().readableBytes()];
    reply.payload().getBytes(reply.payload().readerIndex(), plainOut);
    byte[] sealedOut = legacySend.seal(StoqSession.nonce(legacySendIv, STREAM, sent++),
        StoqSession.aad(reply), plainOut, 0, plainOut.length);
    reply.release();
    Frame sealedReply = Frame.response(correlationId, Unpooled.wrappedBuffer(sealedOut));
    ByteBuf encoded = FrameCodec.encode(alloc, sealedReply, MAX_FRAME);
    sealedReply.release();
    int n = encoded.readableBytes();
    encoded.release();
    return n;
  }

  @Benchmark
  public int zeroCopy() {
    Frame frame = FrameCodec.decode(wire.duplicate(), MAX_FRAME, false, true);
    Frame opened = server.open(alloc, frame, STREAM, 0);
    ByteBuf answer;
    try {
      answer = zeroCopyHandler.handleBuffer(null, opened.payload()).toCompletableFuture().join();
    } finally {
      opened.release();
    }
    Frame reply = Frame.response(opened.correlationId(), answer);
    ByteBuf encoded;
    try {
      encoded = server.encode(alloc, reply, STREAM, sent++, MAX_FRAME);
    } finally {
      reply.release();
    }
    int n = encoded.readableBytes();
    encoded.release();
    return n;
  }
}
