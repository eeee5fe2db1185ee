package online.hypermesh.bench;

import java.util.List;
import java.util.Map;

/** What the benchmarks measure; every number's unit is in its name (JSON keys are the same). */
final class Results {

  private Results() {}

  /** Bytes received by the server during the measured window. */
  record Throughput(int connections, double seconds, long bytes, double gbitPerSecond, String note) {
    static Throughput of(int connections, long nanos, long bytes, String note) {
      double seconds = nanos / 1e9;
      double gbit = seconds <= 0 ? 0 : bytes * 8.0 / seconds / 1e9;
      return new Throughput(connections, round(seconds, 3), bytes, round(gbit, 3), note);
    }
  }

  record Latency(
      int ratePerSecond,
      int payloadBytes,
      long scheduled,
      long answered,
      long failed,
      double p50Micros,
      double p99Micros,
      double p999Micros,
      double maxMicros) {}

  record Scenario(
      String name, String what, Throughput oneConnection, Throughput manyConnections,
      Latency latency, String error) {}

  /** STOQ divided by plain Netty QUIC from the same run (throughput: higher is better; latency: lower). */
  record Ratios(
      Double throughputOneConnection,
      Double throughputManyConnections,
      Double latencyP50,
      Double latencyP99,
      Double latencyP999) {}

  record Machine(
      int cores, String cpu, String jvm, String os, String date, String command,
      long maxHeapBytes) {}

  record StoqReport(
      Machine machine, Map<String, Object> parameters, List<Scenario> scenarios,
      Ratios stoqVsPlainQuic) {}

  record Memory(long heapBytes, long directBytes, long nettyDirectBytes, long rssBytes) {}

  record HoldReport(
      Machine machine,
      Map<String, Object> parameters,
      int requestedConnections,
      int connectedConnections,
      int failedConnections,
      int serverActiveConnections,
      double handshakeSeconds,
      double handshakesPerSecond,
      Memory before,
      Memory after,
      double heapBytesPerConnection,
      double directBytesPerConnection,
      double rssBytesPerConnection,
      Latency latency,
      String error) {}

  static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  static Double ratio(double stoq, double baseline) {
    return baseline <= 0 || stoq <= 0 ? null : round(stoq / baseline, 3);
  }
}
