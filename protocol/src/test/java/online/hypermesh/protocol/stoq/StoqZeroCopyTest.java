package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.eventually;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import online.hypermesh.protocol.crypto.AesGcm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sealing between buffers, the sealed encode path, and buffer answers ({@code handleBuffer}). */
class StoqZeroCopyTest {

  private static final ByteBufAllocator POOLED = PooledByteBufAllocator.DEFAULT;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  private static StoqSession[] sessionPair() {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    k2[0] = 1;
    byte[] iv1 = new byte[12];
    byte[] iv2 = new byte[12];
    iv2[0] = 1;
    StoqPeer peer = StoqPeer.unauthenticated(null);
    AesGcm c2s = new AesGcm(k1);
    AesGcm s2c = new AesGcm(k2);
    return new StoqSession[] {
      new StoqSession(peer, true, c2s, iv1, s2c, iv2),
      new StoqSession(peer, true, s2c, iv2, c2s, iv1)
    };
  }

  private static byte[] random(int n, long seed) {
    byte[] bytes = new byte[n];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** The payload kinds a sealer meets: heap, pooled direct, a composite of both, empty. */
  private static List<ByteBuf> payloads(byte[] bytes) {
    ByteBuf direct = POOLED.directBuffer(bytes.length).writeBytes(bytes);
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    int half = bytes.length / 2;
    composite.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, half));
    composite.addComponent(
        true, POOLED.directBuffer(bytes.length - half).writeBytes(bytes, half, bytes.length - half));
    return List.of(Unpooled.wrappedBuffer(bytes), direct, composite);
  }

  @Test
  void sealAndOpenRoundTripForEveryBufferKind() {
    StoqSession[] pair = sessionPair();
    byte[] bytes = random(300_000, 1);
    long counter = 0;
    for (ByteBuf payload : payloads(bytes)) {
      long n = counter++;
      Frame sealed = pair[0].seal(POOLED, Frame.request(n, payload), 4, n);
      assertEquals(bytes.length + AesGcm.TAG_BYTES, sealed.payload().readableBytes());
      assertEquals(0, payload.refCnt(), "seal releases its input");
      Frame opened = pair[1].open(POOLED, sealed, 4, n);
      assertEquals(0, sealed.refCnt(), "open releases its input");
      assertArrayEquals(bytes, ByteBufUtil.getBytes(opened.payload()));
      opened.release();
    }
    Frame emptySealed = pair[0].seal(Frame.request(9, Unpooled.EMPTY_BUFFER), 4, 9);
    Frame emptyOpened = pair[1].open(emptySealed, 4, 9);
    assertEquals(0, emptyOpened.payload().readableBytes());
    emptyOpened.release();
  }

  @Test
  void sealedEncodeIsSealThenEncodeInOnePass() {
    StoqSession[] pair = sessionPair();
    byte[] bytes = random(70_000, 2);
    int max = 1 << 20;
    Frame frame = Frame.response(77, Unpooled.wrappedBuffer(bytes));
    ByteBuf direct = pair[1].encode(POOLED, frame, 8, 3, max);
    Frame sealed = pair[1].seal(POOLED, frame.retain(), 8, 4);
    // Same key and stream, counters 3 and 4: different nonces, so compare by opening instead.
    ByteBuf twoStep = FrameCodec.encode(POOLED, sealed, max);
    sealed.release();
    frame.release();
    assertEquals(twoStep.readableBytes(), direct.readableBytes());
    assertEquals(
        ByteBufUtil.hexDump(twoStep, 0, FrameCodec.MIN_FRAME_BYTES),
        ByteBufUtil.hexDump(direct, 0, FrameCodec.MIN_FRAME_BYTES));
    twoStep.release();

    Frame decoded = FrameCodec.decode(direct, max, false, true);
    direct.release();
    Frame opened = pair[0].open(POOLED, decoded, 8, 3);
    assertEquals(77, opened.correlationId());
    assertArrayEquals(bytes, ByteBufUtil.getBytes(opened.payload()));
    opened.release();
  }

  @Test
  void tamperedOrMisplacedFramesFailToOpenAndReleaseEverything() {
    StoqSession[] pair = sessionPair();
    byte[] bytes = random(5_000, 3);
    ByteBuf encoded =
        pair[0].encode(POOLED, Frame.request(1, Unpooled.wrappedBuffer(bytes)), 4, 0, 1 << 20);
    Frame decoded = FrameCodec.decode(encoded, 1 << 20, false, true);
    encoded.release();
    // Wrong counter (replayed/reordered).
    Frame wrongCounter = decoded.retain();
    assertEquals(StoqError.SEAL_FAILED,
        assertThrows(StoqException.class, () -> pair[1].open(POOLED, wrongCounter, 4, 1)).error());
    // A flipped ciphertext bit.
    decoded.payload().setByte(decoded.payload().readerIndex() + 10,
        decoded.payload().getByte(decoded.payload().readerIndex() + 10) ^ 1);
    assertEquals(StoqError.SEAL_FAILED,
        assertThrows(StoqException.class, () -> pair[1].open(POOLED, decoded, 4, 0)).error());
    assertEquals(0, decoded.refCnt());
    // Shorter than a tag.
    Frame stub = Frame.request(2, POOLED.directBuffer(8).writeZero(8));
    assertEquals(StoqError.SEAL_FAILED,
        assertThrows(StoqException.class, () -> pair[1].open(POOLED, stub, 4, 0)).error());
    assertEquals(0, stub.refCnt());
  }

  @Test
  void bufferAnswersAreSealedAndReleased() {
    List<ByteBuf> answers = new ArrayList<>();
    StoqHandler zeroCopyEcho =
        new StoqHandler() {
          @Override
          public CompletionStage<byte[]> handle(ByteBuf payload) {
            throw new AssertionError("the server calls handleBuffer");
          }

          @Override
          public CompletionStage<ByteBuf> handleBuffer(StoqPeer peer, ByteBuf payload) {
            ByteBuf answer = payload.retainedSlice();
            synchronized (answers) {
              answers.add(answer);
            }
            return CompletableFuture.completedFuture(answer);
          }
        };
    StoqServer server = closing(StoqTestSupport.newServer(SETTINGS, zeroCopyEcho));
    StoqClient client = closing(StoqTestSupport.connect(server.start()));
    for (int size : new int[] {0, 1, 64, 100_000, 900_000}) {
      byte[] bytes = random(size, size);
      assertArrayEquals(bytes, client.requestBlocking(bytes), "size " + size);
    }
    eventually("every answer buffer released", () -> {
      synchronized (answers) {
        return answers.stream().allMatch(b -> b.refCnt() == 0);
      }
    });
    assertEquals(5, answers.size());
  }

  @Test
  void aLateBufferAnswerIsReleased() {
    CompletableFuture<ByteBuf> late = new CompletableFuture<>();
    StoqHandler slow =
        new StoqHandler() {
          @Override
          public CompletionStage<byte[]> handle(ByteBuf payload) {
            throw new AssertionError("the server calls handleBuffer");
          }

          @Override
          public CompletionStage<ByteBuf> handleBuffer(StoqPeer peer, ByteBuf payload) {
            return late;
          }
        };
    StoqSettings serverSettings = SETTINGS.withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(5));
    StoqServer server = closing(StoqTestSupport.newServer(serverSettings, slow));
    StoqClient client =
        closing(StoqClient.connectBlocking("::1", server.start(), SETTINGS, StoqTls.defaults(),
            CLIENT_ID, "::1"));
    assertEquals(StoqError.TIMEOUT, failure(client.request(new byte[] {1, 2, 3})).error());
    ByteBuf answer = POOLED.directBuffer(16).writeZero(16);
    late.complete(answer);
    eventually("the late answer released", () -> answer.refCnt() == 0);
    assertEquals(true, client.isConnected());
  }
}
