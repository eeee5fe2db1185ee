package online.hypermesh.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: request i is due at {@code start + i / rate}, whatever happened to earlier ones,
 * and its latency is measured from that due time (not from when it was actually sent), so a
 * stall is charged to every request it delayed (no coordinated omission).
 */
final class OpenLoop {

  /** Sends request {@code i}; the stage completes when its answer arrived. */
  interface Requester {
    CompletionStage<?> send(long i);
  }

  private OpenLoop() {}

  /**
   * Runs {@code rate * seconds} requests, then waits at most {@code grace} for the last answers.
   * Unanswered ones count as failed.
   */
  static Results.Latency run(String what, Requester requester, int rate, double seconds,
      int payloadBytes, long graceMillis) {
    long total = Math.max(1, Math.round(rate * seconds));
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    LatencyRecorder recorder = new LatencyRecorder((int) Math.min(total, 50_000_000));
    AtomicLong done = new AtomicLong();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      try {
        requester.send(i).whenComplete((r, e) -> {
          if (e == null) {
            recorder.record(System.nanoTime() - due);
          } else {
            recorder.fail();
          }
          done.incrementAndGet();
        });
      } catch (RuntimeException e) {
        recorder.fail();
        done.incrementAndGet();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    while (done.get() < total && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    long[] sorted = recorder.sorted();
    long unanswered = total - sorted.length - recorder.failed();
    return new Results.Latency(
        rate, payloadBytes, total, sorted.length, recorder.failed() + Math.max(0, unanswered),
        micros(LatencyRecorder.percentile(sorted, 50)),
        micros(LatencyRecorder.percentile(sorted, 99)),
        micros(LatencyRecorder.percentile(sorted, 99.9)),
        micros(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
  }

  static double micros(long nanos) {
    return Math.round(nanos / 100.0) / 10.0;
  }
}
