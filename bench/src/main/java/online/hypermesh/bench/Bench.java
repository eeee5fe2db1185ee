package online.hypermesh.bench;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import online.hypermesh.protocol.stoq.StoqSettings;

/** Runs the `bench stoq` comparison: UDP ceiling, plain QUIC baseline, JDK TLS, STOQ. */
final class Bench {

  static final InetAddress LOOPBACK = StoqSettings.ipv6("::1");
  static final long WARMUP_MILLIS = 500;
  /** How long a bulk run waits for its first bytes before it measures anyway (and reports 0). */
  static final long FIRST_BYTES_MILLIS = 15_000;

  /** What one invocation runs. */
  record Options(
      double seconds, int connections, int rate, double latencySeconds, int latencyPayloadBytes,
      int bulkPayloadBytes, int pipeline, Set<String> only) {}

  private Bench() {}

  static Results.StoqReport runStoq(Results.Machine machine, Options o) {
    StoqSettings settings = StoqAdapter.loopbackSettings();
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("secondsPerThroughputRun", o.seconds());
    parameters.put("connections", o.connections());
    parameters.put("latencyRatePerSecond", o.rate());
    parameters.put("latencySeconds", o.latencySeconds());
    parameters.put("latencyPayloadBytes", o.latencyPayloadBytes());
    parameters.put("stoqBulkPayloadBytes", o.bulkPayloadBytes());
    parameters.put("stoqPipelinePerConnection", o.pipeline());
    parameters.put("quicConnectionWindowBytes", settings.initialMaxData());
    parameters.put("quicStreamWindowBytes", settings.initialMaxStreamData());
    parameters.put("quicMaxBidiStreams", settings.maxBidiStreams());
    parameters.put("keyExchangeGroups", BenchTls.supportedGroups());
    parameters.put("warmupMillis", WARMUP_MILLIS);

    List<Results.Scenario> scenarios = new ArrayList<>();
    if (o.only().contains("udp")) {
      scenarios.add(scenario("udp", "raw UDP on ::1, 1 sender -> 1 receiver (the ceiling)", () -> {
        Results.Throughput one = UdpBench.blast(o.seconds());
        Results.Latency lat = UdpBench.echoLatency(o.rate(), o.latencySeconds(), o.latencyPayloadBytes());
        return new Results.Scenario(null, null, one, null, lat, null);
      }));
    }
    if (o.only().contains("quic")) {
      scenarios.add(scenario("quic", "plain Netty QUIC, STOQ's settings, raw stream bytes (the baseline)", () -> {
        Results.Throughput one;
        Results.Throughput many;
        try (QuicBench sink = new QuicBench(settings, false)) {
          one = sink.bulk(1, o.seconds(), o.pipeline());
          many = sink.bulk(o.connections(), o.seconds(), o.pipeline());
        }
        Results.Latency lat;
        try (QuicBench echo = new QuicBench(settings, true)) {
          lat = echo.latency(o.rate(), o.latencySeconds(), o.latencyPayloadBytes());
        }
        return new Results.Scenario(null, null, one, many, lat, null);
      }));
    }
    if (o.only().contains("tls")) {
      scenarios.add(scenario("tls", "TCP + TLS 1.3, JDK SSLSocket, thread per connection (the incumbent)", () -> {
        try (TlsBench tls = new TlsBench()) {
          Results.Throughput one = tls.bulk(1, o.seconds());
          Results.Throughput many = tls.bulk(o.connections(), o.seconds());
          Results.Latency lat = tls.latency(o.rate(), o.latencySeconds(), o.latencyPayloadBytes());
          return new Results.Scenario(null, null, one, many, lat, null);
        }
      }));
    }
    if (o.only().contains("stoq")) {
      scenarios.add(scenario("stoq", "STOQ: StoqServer + StoqClient, REQUEST/RESPONSE frames", () -> {
        try (StoqBench stoq = new StoqBench(settings)) {
          Results.Throughput one = stoq.bulk(1, o.seconds(), o.bulkPayloadBytes(), o.pipeline());
          Results.Throughput many =
              stoq.bulk(o.connections(), o.seconds(), o.bulkPayloadBytes(), o.pipeline());
          Results.Latency lat = stoq.latency(o.rate(), o.latencySeconds(), o.latencyPayloadBytes());
          return new Results.Scenario(null, null, one, many, lat, null);
        }
      }));
    }
    return new Results.StoqReport(machine, parameters, scenarios, ratios(scenarios));
  }

  interface Body {
    Results.Scenario run() throws Exception;
  }

  /** Runs one scenario; a failure is reported in the scenario instead of ending the run. */
  private static Results.Scenario scenario(String name, String what, Body body) {
    System.err.println("bench: running " + name + " ...");
    try {
      Results.Scenario s = body.run();
      return new Results.Scenario(name, what, s.oneConnection(), s.manyConnections(), s.latency(), null);
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new Results.Scenario(name, what, null, null, null, e.toString());
    }
  }

  static Results.Ratios ratios(List<Results.Scenario> scenarios) {
    Results.Scenario quic = find(scenarios, "quic");
    Results.Scenario stoq = find(scenarios, "stoq");
    if (quic == null || stoq == null) {
      return null;
    }
    return new Results.Ratios(
        tput(stoq.oneConnection(), quic.oneConnection()),
        tput(stoq.manyConnections(), quic.manyConnections()),
        lat(stoq.latency(), quic.latency(), 50),
        lat(stoq.latency(), quic.latency(), 99),
        lat(stoq.latency(), quic.latency(), 99.9));
  }

  private static Double tput(Results.Throughput stoq, Results.Throughput base) {
    return stoq == null || base == null ? null : Results.ratio(stoq.gbitPerSecond(), base.gbitPerSecond());
  }

  private static Double lat(Results.Latency stoq, Results.Latency base, double p) {
    if (stoq == null || base == null) {
      return null;
    }
    return p == 50 ? Results.ratio(stoq.p50Micros(), base.p50Micros())
        : p == 99 ? Results.ratio(stoq.p99Micros(), base.p99Micros())
        : Results.ratio(stoq.p999Micros(), base.p999Micros());
  }

  static Results.Scenario find(List<Results.Scenario> scenarios, String name) {
    return scenarios.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  static Results.Machine machine(String command) {
    String cpu = "unknown";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse(cpu);
    } catch (Exception e) {
      // not Linux
    }
    return new Results.Machine(
        Runtime.getRuntime().availableProcessors(),
        cpu,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + ")",
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"),
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        command,
        Runtime.getRuntime().maxMemory());
  }

  /**
   * Waits until a bulk run's first bytes arrive, then {@link #WARMUP_MILLIS} more, so the measured
   * window starts with data flowing: on a loaded machine the first connection setup and stream
   * credit can take longer than the warm-up alone, and a short run would then measure nothing.
   */
  static void warmUp(AtomicLong received) throws InterruptedException {
    long deadline = System.nanoTime() + FIRST_BYTES_MILLIS * 1_000_000L;
    long start = received.get();
    while (received.get() == start && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(WARMUP_MILLIS);
  }
}
