package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.connect;
import static online.hypermesh.protocol.stoq.StoqTestSupport.eventually;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static online.hypermesh.protocol.stoq.StoqTestSupport.join;
import static online.hypermesh.protocol.stoq.StoqTestSupport.newServer;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streamed downloads and CANCEL on real QUIC connections over loopback. */
class StoqDownloadTest {

  private static final int CHUNK = 64 * 1024;
  /** quiche's cap on a stream's auto-tuned receive window (not configurable through Netty). */
  private static final int QUICHE_MAX_STREAM_WINDOW = 16 * 1024 * 1024;

  private final ExecutorService worker = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopWorker() {
    worker.shutdownNow();
  }

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  /** Chunks that count themselves out when the server (or anyone) releases them. */
  static final class CountedChunk extends UnpooledHeapByteBuf {
    private final AtomicInteger unreleased;

    CountedChunk(byte[] bytes, AtomicInteger unreleased) {
      super(UnpooledByteBufAllocator.DEFAULT, bytes, bytes.length);
      this.unreleased = unreleased;
      unreleased.incrementAndGet();
    }

    @Override
    protected void deallocate() {
      unreleased.decrementAndGet();
      super.deallocate();
    }
  }

  /**
   * A seeded pseudo-random download of {@code total} bytes (endless if negative) in {@link #CHUNK}
   * chunks, with a running hash of what it produced and counters for the test.
   */
  static final class Source implements StoqDownloadSource {
    final long total;
    final SplittableRandom random = new SplittableRandom(42);
    final MessageDigest sha = sha256();
    final AtomicInteger produced = new AtomicInteger();
    final AtomicInteger unreleased = new AtomicInteger();
    final AtomicReference<StoqException> aborted = new AtomicReference<>();
    final AtomicInteger aborts = new AtomicInteger();
    final AtomicInteger maxAhead = new AtomicInteger();
    /** Most chunks the server held unreleased at once (taken from next(), not yet released). */
    final AtomicInteger maxHeld = new AtomicInteger();
    /** Chunks the client's consumer finished: produced - consumed is what is in flight. */
    final AtomicInteger consumed = new AtomicInteger();
    long sent;

    Source(long total) {
      this.total = total;
    }

    @Override
    public CompletionStage<ByteBuf> next(int maxBytes) {
      if (total >= 0 && sent == total) {
        return CompletableFuture.completedFuture(null);
      }
      int size = (int) Math.min(Math.min(CHUNK, maxBytes), total < 0 ? CHUNK : total - sent);
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      sha.update(bytes);
      sent += size;
      int ahead = produced.incrementAndGet() - consumed.get();
      maxAhead.accumulateAndGet(ahead, Math::max);
      CountedChunk chunk = new CountedChunk(bytes, unreleased);
      maxHeld.accumulateAndGet(unreleased.get(), Math::max);
      return CompletableFuture.completedFuture(chunk);
    }

    @Override
    public void abort(StoqException reason) {
      aborts.incrementAndGet();
      aborted.set(reason);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A handler whose downloads come from {@code sources} and are named by the request text. */
  static StoqHandler downloads(List<Source> sources, long total) {
    return new StoqHandler() {
      @Override
      public CompletionStage<byte[]> handle(ByteBuf payload) {
        return ECHO.handle(payload);
      }

      @Override
      public StoqDownloadSource openDownload(StoqPeer peer, ByteBuf request) {
        String what = request.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (what.equals("bad")) {
          throw new StoqException(StoqError.BAD_REQUEST, "no such file: bad");
        }
        Source source = new Source(total);
        sources.add(source);
        return source;
      }
    };
  }

  /** Hashes on the worker thread, slowly; counts finished chunks into the source. */
  StoqChunkConsumer slowHasher(MessageDigest sha, Source[] source, AtomicLong bytes) {
    return chunk -> {
      ByteBuffer view = chunk.nioBuffer();
      return CompletableFuture.runAsync(
          () -> {
            int size = view.remaining();
            sha.update(view);
            bytes.addAndGet(size);
            try {
              Thread.sleep(1);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            source[0].consumed.incrementAndGet();
          },
          worker);
    };
  }

  @Test
  void largeDownloadArrivesIntactWithBoundedBuffering() throws Exception {
    long total = 64L * 1024 * 1024 + 12_345; // not a multiple of the chunk size
    List<Source> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (StoqServer server = newServer(SETTINGS, downloads(sources, total));
        StoqClient client = connect(server.start())) {
      assertTrue(client.payloadProtected());
      MessageDigest received = sha256();
      Source[] source = new Source[1];
      AtomicLong consumedBytes = new AtomicLong();
      StoqChunkConsumer hasher = slowHasher(received, source, consumedBytes);
      CompletionStage<Long> download =
          client.download(utf8("file-1"), chunk -> {
            source[0] = sources.get(0);
            return hasher.onChunk(chunk);
          });
      Long bytes = download.toCompletableFuture().get(120, TimeUnit.SECONDS);
      Source s = sources.get(0);
      assertEquals(total, bytes);
      assertEquals(total, consumedBytes.get());
      assertArrayEquals(s.sha.digest(), received.digest(), "downloaded bytes differ");
      int chunks = s.produced.get();
      assertEquals((total + CHUNK - 1) / CHUNK, chunks);
      // Backpressure: the client's stream receive window bounds what can be ahead of the
      // consumer, plus a few chunks in Netty's buffers. quiche auto-tunes that window from
      // initial-max-stream-data up to its fixed maximum of 16 MiB. Without backpressure the
      // synchronous source would run the whole download (1024 chunks) ahead of the 1 ms-per-chunk
      // consumer.
      int bound = QUICHE_MAX_STREAM_WINDOW / CHUNK + 16;
      System.out.println("download: source at most " + s.maxAhead.get()
          + " chunks ahead of the consumer, of " + chunks);
      assertTrue(s.maxAhead.get() <= bound,
          "source ran " + s.maxAhead.get() + " chunks ahead of the consumer (bound " + bound + ")");
      assertTrue(chunks > 3 * bound, "download too small to show backpressure");
      // The server seals a chunk into its I/O buffer and releases it before it pulls the next.
      assertEquals(1, s.maxHeld.get(), "chunks held by the server at once");
      assertEquals(0, s.aborts.get(), "abort after a complete download");
      eventually("server released every chunk", () -> s.unreleased.get() == 0);
      eventually("stream closed", () -> server.activeStreams() == 0);
      // The connection goes on serving.
      assertEquals("after", text(client.requestBlocking(utf8("after"))));
    }
  }

  @Test
  void cancelMidDownloadStopsTheServerSource() throws Exception {
    List<Source> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (StoqServer server = newServer(SETTINGS, downloads(sources, -1));
        StoqClient client = connect(server.start())) {
      AtomicInteger chunks = new AtomicInteger();
      CompletableFuture<Void> tenChunks = new CompletableFuture<>();
      CompletionStage<Long> download =
          client.download(utf8("endless"), chunk -> {
            if (chunks.incrementAndGet() == 10) {
              tenChunks.complete(null);
            }
            // Slow enough that the server is held back by flow control when the cancel comes.
            return CompletableFuture.runAsync(() -> sleep(2), worker);
          });
      tenChunks.get(20, TimeUnit.SECONDS);
      assertTrue(download.toCompletableFuture().cancel(false));
      Source s = sources.get(0);
      eventually("server source aborted", () -> s.aborts.get() == 1);
      assertEquals(StoqError.CANCELLED, s.aborted.get().error());
      int producedAtAbort = s.produced.get();
      eventually("server released every chunk", () -> s.unreleased.get() == 0);
      eventually("stream closed", () -> server.activeStreams() == 0);
      Thread.sleep(200);
      assertEquals(producedAtAbort, s.produced.get(), "source pulled after its abort");
      assertEquals(1, s.aborts.get());
      assertThrows(CancellationException.class, () -> download.toCompletableFuture().join());
      assertEquals("still serving", text(client.requestBlocking(utf8("still serving"))));
    }
  }

  @Test
  void failingConsumerCancelsTheDownload() throws Exception {
    List<Source> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (StoqServer server = newServer(SETTINGS, downloads(sources, -1));
        StoqClient client = connect(server.start())) {
      AtomicInteger chunks = new AtomicInteger();
      StoqException e =
          failure(client.download(utf8("endless"), chunk -> {
            if (chunks.incrementAndGet() == 3) {
              return CompletableFuture.failedFuture(
                  new StoqException(StoqError.BAD_REQUEST, "disk full"));
            }
            return CompletableFuture.completedFuture(null);
          }));
      assertEquals(StoqError.BAD_REQUEST, e.error());
      assertEquals("disk full", e.getMessage());
      Source s = sources.get(0);
      eventually("server source aborted", () -> s.aborts.get() == 1);
      assertEquals(StoqError.CANCELLED, s.aborted.get().error());
      eventually("server released every chunk", () -> s.unreleased.get() == 0);
      eventually("stream closed", () -> server.activeStreams() == 0);
    }
  }

  @Test
  void refusedAndFailedDownloads() throws Exception {
    // The default handler offers no downloads.
    try (StoqServer server = newServer(SETTINGS, ECHO);
        StoqClient client = connect(server.start())) {
      StoqException e = failure(client.download(utf8("file"), chunk -> null));
      assertEquals(StoqError.STREAM_REFUSED, e.error());
      assertEquals("ok", text(client.requestBlocking(utf8("ok"))));
      eventually("stream closed", () -> server.activeStreams() == 0);
    }
    List<Source> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (StoqServer server = newServer(SETTINGS, downloads(sources, 0));
        StoqClient client = connect(server.start())) {
      // Refused by the handler with its own code and message.
      StoqException e = failure(client.download(utf8("bad"), chunk -> null));
      assertEquals(StoqError.BAD_REQUEST, e.error());
      assertEquals("no such file: bad", e.getMessage());
      // An empty download: STREAM_END at once.
      assertEquals(0L, join(client.download(utf8("empty"), chunk -> {
        throw new AssertionError("no chunk expected");
      })));
    }
  }

  @Test
  void sourceFailureReachesTheClientAndAbortsOnce() throws Exception {
    AtomicInteger aborts = new AtomicInteger();
    AtomicInteger pulls = new AtomicInteger();
    StoqHandler handler =
        new StoqHandler() {
          @Override
          public CompletionStage<byte[]> handle(ByteBuf payload) {
            return ECHO.handle(payload);
          }

          @Override
          public StoqDownloadSource openDownload(StoqPeer peer, ByteBuf request) {
            return new StoqDownloadSource() {
              @Override
              public CompletionStage<ByteBuf> next(int maxBytes) {
                if (pulls.incrementAndGet() == 3) {
                  return CompletableFuture.failedFuture(
                      new StoqException(StoqError.UNAVAILABLE, "backing store gone"));
                }
                return CompletableFuture.completedFuture(
                    UnpooledByteBufAllocator.DEFAULT.heapBuffer(10).writeZero(10));
              }

              @Override
              public void abort(StoqException reason) {
                aborts.incrementAndGet();
              }
            };
          }
        };
    try (StoqServer server = newServer(SETTINGS, handler);
        StoqClient client = connect(server.start())) {
      List<byte[]> got = new ArrayList<>();
      StoqException e =
          failure(client.download(utf8("x"), chunk -> {
            got.add(ByteBufUtil.getBytes(chunk));
            return CompletableFuture.completedFuture(null);
          }));
      assertEquals(StoqError.UNAVAILABLE, e.error());
      assertEquals("backing store gone", e.getMessage());
      assertEquals(2, got.size());
      eventually("aborted", () -> aborts.get() == 1);
      Thread.sleep(100);
      assertEquals(1, aborts.get());
      assertEquals(3, pulls.get());
    }
  }

  /**
   * CANCEL for a request still in the handler and for an upload, on raw frames (payload
   * protection off so the test can write them): the request's stage is cancelled and answered
   * ERROR CANCELLED, the upload's handler is aborted, and a CANCEL for an answered id is ignored.
   */
  @Test
  void cancelFramesForARequestAndAnUpload() throws Exception {
    StoqSettings plain = SETTINGS.withPayloadProtection(false);
    CompletableFuture<ByteBuf> pending = new CompletableFuture<>();
    AtomicReference<StoqException> uploadAborted = new AtomicReference<>();
    StoqHandler handler =
        new StoqHandler() {
          @Override
          public CompletionStage<byte[]> handle(ByteBuf payload) {
            return ECHO.handle(payload);
          }

          @Override
          public CompletionStage<ByteBuf> handleBuffer(StoqPeer peer, ByteBuf payload) {
            return payload.toString(java.nio.charset.StandardCharsets.UTF_8).equals("hang")
                ? pending
                : StoqHandler.super.handleBuffer(peer, payload);
          }

          @Override
          public StoqStreamHandler openStream(StoqPeer peer) {
            return new StoqStreamHandler() {
              @Override
              public CompletionStage<Void> onChunk(ByteBuf chunk) {
                return CompletableFuture.completedFuture(null);
              }

              @Override
              public CompletionStage<byte[]> end() {
                return CompletableFuture.completedFuture(utf8("uploaded"));
              }

              @Override
              public void abort(StoqException reason) {
                uploadAborted.set(reason);
              }
            };
          }
        };
    byte[] cancel7 =
        StoqTestSupport.rawFrame(1, FrameType.CANCEL.code(), 0, 7, new byte[0]);
    byte[] cancel99 =
        StoqTestSupport.rawFrame(1, FrameType.CANCEL.code(), 0, 99, new byte[0]);
    try (StoqServer server = newServer(plain, handler);
        StoqClient client = StoqTestSupport.connect(server.start(), plain, StoqTls.defaults())) {
      List<StoqTestSupport.Answer> answers =
          StoqTestSupport.decodeAll(join(client.exchangeRaw(
              StoqTestSupport.concat(StoqTestSupport.requestBytes(7, "hang"), cancel7), true)));
      assertEquals(1, answers.size(), answers.toString());
      StoqTestSupport.assertError(StoqError.CANCELLED, answers.get(0));
      assertEquals(7, answers.get(0).correlationId());
      assertTrue(pending.isCancelled(), "handler stage not cancelled");

      answers =
          StoqTestSupport.decodeAll(join(client.exchangeRaw(
              StoqTestSupport.concat(StoqTestSupport.requestBytes(8, "x"), cancel99), true)));
      assertEquals(List.of(new StoqTestSupport.Answer(FrameType.RESPONSE, 8, null, "x")), answers);

      byte[] chunk =
          StoqTestSupport.rawFrame(1, FrameType.STREAM_DATA.code(), 0, 9, utf8("part"));
      byte[] cancel9 = StoqTestSupport.rawFrame(1, FrameType.CANCEL.code(), 0, 9, new byte[0]);
      answers =
          StoqTestSupport.decodeAll(join(client.exchangeRaw(
              StoqTestSupport.concat(chunk, cancel9), true)));
      assertEquals(1, answers.size(), answers.toString());
      StoqTestSupport.assertError(StoqError.CANCELLED, answers.get(0));
      eventually("upload aborted", () -> uploadAborted.get() != null);
      assertEquals(StoqError.CANCELLED, uploadAborted.get().error());
      eventually("streams closed", () -> server.activeStreams() == 0);
    }
  }

  /** CANCEL is a request-stream frame: a client's plain answer decoder refuses it. */
  @Test
  void cancelAndTheDownloadFlagAreNotPartOfThePlainDecoder() {
    byte[] cancel = StoqTestSupport.rawFrame(1, FrameType.CANCEL.code(), 0, 3, new byte[0]);
    io.netty.buffer.ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(cancel);
    FrameDecodingException e =
        assertThrows(FrameDecodingException.class, () -> FrameCodec.decode(in, 4096));
    assertEquals(StoqError.UNKNOWN_FRAME_TYPE, e.error());
    byte[] flagged =
        StoqTestSupport.rawFrame(1, FrameType.REQUEST.code(), FrameCodec.FLAG_DOWNLOAD, 3,
            new byte[0]);
    e = assertThrows(FrameDecodingException.class,
        () -> FrameCodec.decode(io.netty.buffer.Unpooled.wrappedBuffer(flagged), 4096));
    assertEquals(StoqError.MALFORMED_FRAME, e.error());
    Frame frame =
        FrameCodec.decode(io.netty.buffer.Unpooled.wrappedBuffer(flagged), 4096, false, false, true);
    try {
      assertEquals(FrameCodec.FLAG_DOWNLOAD, frame.flags());
    } finally {
      frame.release();
    }
    byte[] flaggedResponse =
        StoqTestSupport.rawFrame(1, FrameType.RESPONSE.code(), FrameCodec.FLAG_DOWNLOAD, 3,
            new byte[0]);
    e = assertThrows(FrameDecodingException.class,
        () -> FrameCodec.decode(io.netty.buffer.Unpooled.wrappedBuffer(flaggedResponse), 4096,
            false, false, true));
    assertEquals(StoqError.MALFORMED_FRAME, e.error());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
