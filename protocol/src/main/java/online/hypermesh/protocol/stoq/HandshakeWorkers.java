package online.hypermesh.protocol.stoq;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the server's handshake crypto (certificate chain check, ML-KEM encapsulation,
 * FALCON sign and verify: several milliseconds per handshake). On the event loop they would cap a
 * node near one core's worth of handshakes and stall every established connection behind them.
 *
 * <p>One pool per JVM, one thread per core. The queue is bounded: when a flood of handshakes fills
 * it, new ones are refused at once ({@link java.util.concurrent.RejectedExecutionException}) rather
 * than queued for longer than a client would wait.
 */
final class HandshakeWorkers {

  /** About 100 ms of queued crypto per core on this hardware; past that, refusing is kinder. */
  static final int QUEUE_PER_THREAD = 16;

  private static final Executor POOL = create(Runtime.getRuntime().availableProcessors());

  private HandshakeWorkers() {}

  static Executor pool() {
    return POOL;
  }

  private static Executor create(int threads) {
    AtomicInteger counter = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD), runnable -> {
          Thread thread = new Thread(runnable, "stoq-handshake-" + counter.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
