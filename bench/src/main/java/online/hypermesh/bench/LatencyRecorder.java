package online.hypermesh.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Latencies in nanoseconds into a preallocated array; percentiles by sorting a copy. */
final class LatencyRecorder {

  private final long[] samples;
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong failed = new AtomicLong();

  LatencyRecorder(int capacity) {
    samples = new long[Math.max(1, capacity)];
  }

  void record(long nanos) {
    int i = count.getAndIncrement();
    if (i < samples.length) {
      samples[i] = nanos;
    }
  }

  void fail() {
    failed.incrementAndGet();
  }

  int count() {
    return Math.min(count.get(), samples.length);
  }

  long failed() {
    return failed.get();
  }

  /** Sorted copy of what was recorded. */
  long[] sorted() {
    long[] copy = Arrays.copyOf(samples, count());
    Arrays.sort(copy);
    return copy;
  }

  /** Nearest-rank percentile of a sorted array, in nanoseconds; 0 when empty. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length / 100.0 - 1e-9);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}
