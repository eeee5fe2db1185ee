package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.connect;
import static online.hypermesh.protocol.stoq.StoqTestSupport.join;
import static online.hypermesh.protocol.stoq.StoqTestSupport.newServer;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Upload sources are read off the client's event loop, so a blocking source stalls nothing else. */
class StoqUploadReaderTest {

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  /** Counts the bytes of an upload and answers with the count. */
  static StoqHandler counting() {
    return new StoqHandler() {
      @Override
      public CompletionStage<byte[]> handle(ByteBuf payload) {
        return ECHO.handle(payload);
      }

      @Override
      public StoqStreamHandler openStream(StoqPeer peer) {
        AtomicLong bytes = new AtomicLong();
        return new StoqStreamHandler() {
          @Override
          public CompletionStage<Void> onChunk(ByteBuf chunk) {
            bytes.addAndGet(chunk.readableBytes());
            return CompletableFuture.completedFuture(null);
          }

          @Override
          public CompletionStage<byte[]> end() {
            return CompletableFuture.completedFuture(utf8(Long.toString(bytes.get())));
          }
        };
      }
    };
  }

  /** {@code total} bytes; the first read blocks until {@link #go} opens; records reader threads. */
  static final class BlockingSource extends InputStream {
    final CountDownLatch go = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    long left;

    BlockingSource(long total) {
      left = total;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      threads.add(Thread.currentThread().getName());
      blocked.countDown();
      try {
        if (!go.await(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 7);
      left -= n;
      return n;
    }
  }

  @Test
  void aBlockedSourceDoesNotStallOtherRequests() throws Exception {
    try (StoqServer server = newServer(SETTINGS, counting());
        StoqClient client = connect(server.start())) {
      BlockingSource source = new BlockingSource(3L * 1024 * 1024 + 5);
      CompletionStage<byte[]> upload = client.upload(source, 64 * 1024);
      assertTrue(source.blocked.await(10, TimeUnit.SECONDS));
      // The event loop is free while the source blocks: requests on the connection go on.
      for (int i = 0; i < 5; i++) {
        assertEquals("ping " + i, text(client.requestBlocking(utf8("ping " + i))));
      }
      assertFalse(upload.toCompletableFuture().isDone());
      source.go.countDown();
      assertEquals(Long.toString(3L * 1024 * 1024 + 5), text(join(upload)));
      assertFalse(source.threads.isEmpty());
      for (String thread : source.threads) {
        assertTrue(thread.startsWith("stoq-upload-reader"), "read on " + thread);
      }
    }
  }

  @Test
  void theCallersExecutorReadsWhenGiven() throws Exception {
    ExecutorService mine =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "callers-reader"));
    try (StoqServer server = newServer(SETTINGS, counting());
        StoqClient client = connect(server.start())) {
      BlockingSource source = new BlockingSource(1_000_000);
      source.go.countDown();
      assertEquals("1000000", text(join(client.upload(source, 10_000, mine))));
      assertEquals(Set.of("callers-reader"), source.threads);
      // A reader that refuses the work fails the upload cleanly; the connection goes on.
      mine.shutdown();
      StoqException e =
          StoqTestSupport.failure(client.upload(new BlockingSource(10), 10, mine));
      assertEquals(StoqError.UNAVAILABLE, e.error());
      assertEquals("still", text(client.requestBlocking(utf8("still"))));
    } finally {
      mine.shutdownNow();
    }
  }
}
