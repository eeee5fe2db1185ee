package online.hypermesh.bench;

import java.util.Locale;

/** Plain-text rendering of the reports; every figure with its unit. */
final class Tables {

  private Tables() {}

  static String machine(Results.Machine m) {
    return String.format(Locale.ROOT,
        "command: %s%nmachine: %d cores (%s), %s, %s, max heap %d MiB%ndate:    %s%n",
        m.command(), m.cores(), m.cpu(), m.os(), m.jvm(), m.maxHeapBytes() >> 20, m.date());
  }

  static String stoq(Results.StoqReport r) {
    StringBuilder b = new StringBuilder(machine(r.machine()));
    b.append("parameters: ").append(r.parameters()).append("\n\n");
    int c = (int) r.parameters().get("connections");
    b.append(String.format(Locale.ROOT, "%-6s %14s %14s %12s %12s %12s %12s %10s%n",
        "", "1 conn Gbit/s", c + " conn Gbit/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "lost/fail"));
    for (Results.Scenario s : r.scenarios()) {
      if (s.error() != null) {
        b.append(String.format(Locale.ROOT, "%-6s FAILED: %s%n", s.name(), s.error()));
        continue;
      }
      Results.Latency l = s.latency();
      b.append(String.format(Locale.ROOT, "%-6s %14s %14s %12s %12s %12s %12s %10s%n",
          s.name(), gbit(s.oneConnection()), gbit(s.manyConnections()),
          l == null ? "-" : l.p50Micros(), l == null ? "-" : l.p99Micros(),
          l == null ? "-" : l.p999Micros(), l == null ? "-" : l.maxMicros(),
          l == null ? "-" : l.failed() + "/" + l.scheduled()));
    }
    b.append('\n');
    for (Results.Scenario s : r.scenarios()) {
      b.append(String.format("%-6s %s%n", s.name(), s.what()));
      note(b, s.oneConnection());
      note(b, s.manyConnections());
      if (s.latency() != null) {
        b.append(String.format(Locale.ROOT,
            "       latency: %d B requests at %d req/s open loop, %d answered, from scheduled send time%n",
            s.latency().payloadBytes(), s.latency().ratePerSecond(), s.latency().answered()));
      }
    }
    Results.Ratios q = r.stoqVsPlainQuic();
    if (q != null) {
      b.append(String.format(Locale.ROOT,
          "%nSTOQ / plain QUIC (same run): throughput 1 conn %s, %d conn %s (target >= 0.8); "
              + "latency p50 %s, p99 %s, p99.9 %s (lower is better)%n",
          q.throughputOneConnection(), c, q.throughputManyConnections(), q.latencyP50(),
          q.latencyP99(), q.latencyP999()));
    }
    return b.toString();
  }

  private static String gbit(Results.Throughput t) {
    return t == null ? "-" : String.format(Locale.ROOT, "%.3f", t.gbitPerSecond());
  }

  private static void note(StringBuilder b, Results.Throughput t) {
    if (t != null) {
      b.append(String.format(Locale.ROOT, "       %d conn: %.3f Gbit/s (%d bytes in %.3f s) %s%n",
          t.connections(), t.gbitPerSecond(), t.bytes(), t.seconds(), t.note()));
    }
  }

  static String hold(Results.HoldReport r) {
    StringBuilder b = new StringBuilder(machine(r.machine()));
    b.append("parameters: ").append(r.parameters()).append("\n\n");
    b.append(String.format(Locale.ROOT,
        "held connections:     %d of %d requested (%d failed; server counts %d active)%n",
        r.connectedConnections(), r.requestedConnections(), r.failedConnections(),
        r.serverActiveConnections()));
    b.append(String.format(Locale.ROOT, "handshakes:           %.1f connections/s (%.3f s for all)%n",
        r.handshakesPerSecond(), r.handshakeSeconds()));
    b.append(String.format(Locale.ROOT,
        "memory / connection:  heap %.0f B, direct %.0f B, RSS %.0f B (client + server in one JVM)%n",
        r.heapBytesPerConnection(), r.directBytesPerConnection(), r.rssBytesPerConnection()));
    b.append(String.format(Locale.ROOT,
        "memory before/after:  heap %d -> %d MiB, direct %d -> %d MiB, RSS %d -> %d MiB%n",
        r.before().heapBytes() >> 20, r.after().heapBytes() >> 20,
        r.before().directBytes() >> 20, r.after().directBytes() >> 20,
        r.before().rssBytes() >> 20, r.after().rssBytes() >> 20));
    Results.Latency l = r.latency();
    if (l != null) {
      b.append(String.format(Locale.ROOT,
          "latency:              %d B requests at %d req/s open loop over all held connections: "
              + "p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs; %d of %d failed%n",
          l.payloadBytes(), l.ratePerSecond(), l.p50Micros(), l.p99Micros(), l.p999Micros(),
          l.maxMicros(), l.failed(), l.scheduled()));
    }
    if (r.error() != null) {
      b.append("error: ").append(r.error()).append('\n');
    }
    return b.toString();
  }
}
