package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.eventually;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static online.hypermesh.protocol.stoq.StoqTestSupport.join;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streamed uploads (STREAM_DATA / STREAM_END) on real QUIC sockets on ::1, with the handshake. */
class StoqUploadTest {

  private static final int MIB = 1024 * 1024;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    timer.shutdownNow();
  }

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /** Echoes requests; every upload gets a new handler from {@code uploads}. */
  private StoqServer start(Supplier<StoqStreamHandler> uploads) {
    return start(SETTINGS, uploads);
  }

  private StoqServer start(StoqSettings settings, Supplier<StoqStreamHandler> uploads) {
    StoqHandler handler =
        new StoqHandler() {
          @Override
          public CompletionStage<byte[]> handle(ByteBuf payload) {
            return ECHO.handle(payload);
          }

          @Override
          public StoqStreamHandler openStream(StoqPeer peer) {
            return uploads == null ? null : uploads.get();
          }
        };
    StoqServer server = closing(StoqTestSupport.newServer(settings, handler));
    server.start();
    return server;
  }

  private StoqClient connect(StoqServer server) {
    return closing(StoqTestSupport.connect(server.localAddress().getPort()));
  }

  /**
   * Holds each chunk for {@code holdMillis} before completing its stage, hashes what arrived,
   * and counts chunks in the handler at once; fails chunk number {@code failAt} (1-based, 0:
   * never). end() answers the hex SHA-256.
   */
  private final class Recording implements StoqStreamHandler {
    final MessageDigest digest = sha256();
    final AtomicInteger alive = new AtomicInteger();
    final AtomicInteger maxAlive = new AtomicInteger();
    final AtomicInteger chunks = new AtomicInteger();
    final AtomicReference<StoqException> aborted = new AtomicReference<>();
    final int holdMillis;
    final int failAt;
    long bytes;

    Recording(int holdMillis, int failAt) {
      this.holdMillis = holdMillis;
      this.failAt = failAt;
    }

    @Override
    public CompletionStage<Void> onChunk(ByteBuf chunk) {
      int number = chunks.incrementAndGet();
      maxAlive.accumulateAndGet(alive.incrementAndGet(), Math::max);
      if (number == failAt) {
        alive.decrementAndGet();
        throw new StoqException(StoqError.BAD_REQUEST, "chunk " + number + " refused");
      }
      digest.update(chunk.nioBuffer());
      bytes += chunk.readableBytes();
      CompletableFuture<Void> done = new CompletableFuture<>();
      timer.schedule(
          () -> {
            alive.decrementAndGet();
            done.complete(null);
          },
          holdMillis,
          TimeUnit.MILLISECONDS);
      return done;
    }

    @Override
    public CompletionStage<byte[]> end() {
      return CompletableFuture.completedFuture(utf8(HexFormat.of().formatHex(digest.digest())));
    }

    @Override
    public void abort(StoqException reason) {
      aborted.compareAndSet(null, reason);
    }
  }

  @Test
  void sixtyFourMibThroughOneMibFramesArePacedByTheHandler() throws Exception {
    Recording recording = new Recording(1, 0);
    StoqServer server = start(() -> recording);
    StoqClient client = connect(server);
    assertTrue(client.payloadProtected());
    DigestInputStream source = new DigestInputStream(new Generated(64L * MIB), sha256());

    byte[] answer = join(client.upload(source, client.maxPayloadBytes()));

    assertEquals(HexFormat.of().formatHex(source.getMessageDigest().digest()), text(answer));
    assertEquals(64L * MIB, recording.bytes);
    assertTrue(recording.chunks.get() >= 64, "chunks: " + recording.chunks.get());
    assertTrue(recording.maxAlive.get() <= 4, "chunks alive at once: " + recording.maxAlive.get());
    assertEquals(null, recording.aborted.get());
    // The connection goes on serving requests afterwards.
    assertArrayEquals(utf8("after"), client.requestBlocking(utf8("after")));
  }

  @Test
  void aFailingStreamHandlerIsAnErrorAtTheClientAndTheConnectionGoesOn() {
    Recording recording = new Recording(0, 3);
    StoqServer server = start(() -> recording);
    StoqClient client = connect(server);

    StoqException e = failure(client.upload(new Generated(16L * MIB), 256 * 1024));

    assertEquals(StoqError.BAD_REQUEST, e.error(), e.getMessage());
    assertTrue(e.getMessage().contains("chunk 3 refused"), e.getMessage());
    eventually("handler told of the abort", () -> recording.aborted.get() != null);
    assertArrayEquals(utf8("still here"), client.requestBlocking(utf8("still here")));
    eventually("upload stream closed", () -> server.activeStreams() <= 1);
  }

  @Test
  void anUploadWhoseSourceFailsIsResetAndTheServerReleasesEverything() {
    Recording recording = new Recording(5, 0);
    StoqServer server = start(() -> recording);
    StoqClient client = connect(server);
    InputStream failing =
        new java.io.FilterInputStream(new Generated(1024L * MIB)) {
          @Override
          public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (recording.chunks.get() >= 3) {
              throw new java.io.IOException("disk gone");
            }
            return super.read(b, off, len);
          }
        };

    StoqException e = failure(client.upload(failing, 64 * 1024));

    assertEquals(StoqError.UNAVAILABLE, e.error(), e.getMessage());
    assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
    eventually("handler told of the abort", () -> recording.aborted.get() != null);
    eventually("no chunk held", () -> recording.alive.get() == 0);
    eventually("upload stream closed", () -> server.activeStreams() <= 1);
    assertArrayEquals(utf8("still here"), client.requestBlocking(utf8("still here")));
  }

  @Test
  void anAbandonedUploadReleasesEverythingAndTellsTheHandler() {
    Recording recording = new Recording(5, 0);
    // The client's CONNECTION_CLOSE is a single datagram and may be lost in the upload's burst;
    // then the idle timeout is what tells the server.
    StoqSettings settings =
        new StoqSettings(SETTINGS.bindAddress(), 0, SETTINGS.maxFrameBytes(),
            java.time.Duration.ofSeconds(1), SETTINGS.maxBidiStreams(), SETTINGS.initialMaxData(),
            SETTINGS.initialMaxStreamData(), SETTINGS.requestTimeout(),
            SETTINGS.handshakeTimeout(), true);
    StoqServer server = start(settings, () -> recording);
    StoqClient client = StoqTestSupport.connect(server.localAddress().getPort());

    CompletionStage<byte[]> upload = client.upload(new Generated(1024L * MIB), 64 * 1024);
    eventually("some chunks arrived", () -> recording.chunks.get() >= 3);
    client.close();

    assertEquals(StoqError.UNAVAILABLE, failure(upload).error());
    eventually("server connection closed: " + server.activeConnections() + " "
        + server.activeStreams(), () -> server.activeConnections() == 0);
    eventually("handler told of the abort", () -> recording.aborted.get() != null);
    eventually("server streams closed", () -> server.activeStreams() == 0);
    eventually("no chunk held", () -> recording.alive.get() == 0);
  }

  @Test
  void uploadsAreRefusedByDefault() {
    StoqServer server = start(null);
    StoqClient client = connect(server);

    StoqException e = failure(client.upload(new Generated(4L * MIB), 64 * 1024));

    assertEquals(StoqError.STREAM_REFUSED, e.error(), e.getMessage());
    assertArrayEquals(utf8("ok"), client.requestBlocking(utf8("ok")));
  }

  @Test
  void anEmptySourceIsJustTheEnd() {
    Recording recording = new Recording(0, 0);
    StoqServer server = start(() -> recording);
    StoqClient client = connect(server);

    byte[] answer = join(client.upload(InputStream.nullInputStream(), 1024));

    assertEquals(HexFormat.of().formatHex(sha256().digest()), text(answer));
    assertEquals(0, recording.chunks.get());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code size} deterministic pseudo-random bytes without holding them. */
  private static final class Generated extends InputStream {
    private static final byte[] BLOCK = new byte[1_000_003];

    static {
      new Random(42).nextBytes(BLOCK);
    }

    private final long size;
    private long position;

    Generated(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (position >= size) {
        return -1;
      }
      return BLOCK[(int) (position++ % BLOCK.length)] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      int done = 0;
      while (done < n) {
        int at = (int) ((position + done) % BLOCK.length);
        int run = Math.min(n - done, BLOCK.length - at);
        System.arraycopy(BLOCK, at, b, off + done, run);
        done += run;
      }
      position += n;
      return n;
    }
  }
}
