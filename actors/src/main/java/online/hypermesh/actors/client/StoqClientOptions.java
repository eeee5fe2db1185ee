package online.hypermesh.actors.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link StoqClientActor}.
 *
 * @param outboxCapacity requests held while there is no connection; beyond it a request is
 *     answered at once with UNAVAILABLE "outbox full"
 * @param requestTimeout how long a request may take from {@code Send} to its reply, outbox time
 *     included; then it is answered with TIMEOUT
 * @param minBackoff delay before the first reconnect attempt
 * @param maxBackoff the delay doubles per failed attempt up to this bound
 * @param jitter fraction (0..1) of the delay that is randomised, so clients that lost the same
 *     node do not reconnect in lock step; the delay never exceeds maxBackoff
 */
public record StoqClientOptions(
    int outboxCapacity,
    Duration requestTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    double jitter) {

  public StoqClientOptions {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(minBackoff, "minBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (outboxCapacity < 0) {
      throw new IllegalArgumentException("outboxCapacity must be >= 0: " + outboxCapacity);
    }
    if (requestTimeout.isZero() || requestTimeout.isNegative()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
    }
    if (minBackoff.isZero() || minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          "need 0 < minBackoff <= maxBackoff: " + minBackoff + ", " + maxBackoff);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in 0..1: " + jitter);
    }
  }

  /** 10 s request timeout, backoff 200 ms doubling to 10 s with 20 % jitter. */
  public static StoqClientOptions defaults(int outboxCapacity) {
    return new StoqClientOptions(
        outboxCapacity, Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(10),
        0.2);
  }

  public StoqClientOptions withRequestTimeout(Duration timeout) {
    return new StoqClientOptions(outboxCapacity, timeout, minBackoff, maxBackoff, jitter);
  }

  public StoqClientOptions withBackoff(Duration min, Duration max, double jitter) {
    return new StoqClientOptions(outboxCapacity, requestTimeout, min, max, jitter);
  }

  /** The delay before reconnect attempt {@code attempt} (0-based): bounded, with jitter. */
  Duration backoff(int attempt, double random) {
    long min = minBackoff.toNanos();
    long max = maxBackoff.toNanos();
    long base = attempt >= 62 ? max : Math.min(max, min << Math.min(attempt, 30));
    if (base <= 0 || base > max) {
      base = max;
    }
    // Jitter shortens the delay by up to jitter * base, so the bound holds.
    long delay = (long) (base * (1 - jitter * random));
    return Duration.ofNanos(Math.max(1_000_000L, delay));
  }
}
