package online.hypermesh.node.metrics;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.prometheus.metrics.core.metrics.Counter;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void eachSystemHasItsOwnRegistryInTheTextFormat() {
    ActorSystem first = ActorSystem.create("first", ConfigFactory.parseString("pekko.actor.provider = local"));
    ActorSystem second = ActorSystem.create("second", ConfigFactory.parseString("pekko.actor.provider = local"));
    try {
      Counter requests = Counter.builder().name("hypermesh_test_requests").help("test").labelNames("outcome")
          .register(Metrics.get(first).registry());
      requests.labelValues("ok").inc(3);
      String text = Metrics.get(first).scrape();
      assertTrue(text.contains("# TYPE hypermesh_test_requests_total counter"), text);
      assertTrue(text.contains("hypermesh_test_requests_total{outcome=\"ok\"} 3.0"), text);
      assertNotSame(Metrics.get(first).registry(), Metrics.get(second).registry());
      assertTrue(!Metrics.get(second).scrape().contains("hypermesh_test_requests"));
    } finally {
      first.terminate();
      second.terminate();
    }
  }
}
