package online.hypermesh.actors.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoqClientOptionsTest {

  private final StoqClientOptions options =
      StoqClientOptions.defaults(8).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.5);

  @Test
  void backoffDoublesUpToTheBound() {
    assertEquals(Duration.ofMillis(100), options.backoff(0, 0));
    assertEquals(Duration.ofMillis(200), options.backoff(1, 0));
    assertEquals(Duration.ofMillis(3200), options.backoff(5, 0));
    assertEquals(Duration.ofSeconds(5), options.backoff(6, 0));
    assertEquals(Duration.ofSeconds(5), options.backoff(1_000, 0));
  }

  @Test
  void jitterOnlyShortensTheDelay() {
    for (int attempt = 0; attempt < 70; attempt++) {
      for (double random : new double[] {0, 0.3, 0.999}) {
        Duration delay = options.backoff(attempt, random);
        assertTrue(delay.compareTo(Duration.ofSeconds(5)) <= 0, delay.toString());
        assertTrue(delay.compareTo(Duration.ofMillis(50)) >= 0, delay.toString());
      }
    }
    assertEquals(Duration.ofMillis(2500), options.backoff(10, 1.0));
  }

  @Test
  void invalidOptionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> StoqClientOptions.defaults(-1));
    assertThrows(IllegalArgumentException.class,
        () -> options.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1));
    assertThrows(IllegalArgumentException.class,
        () -> options.withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5));
    assertThrows(IllegalArgumentException.class, () -> options.withRequestTimeout(Duration.ZERO));
  }
}
