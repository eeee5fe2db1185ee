package online.hypermesh.bench;

import java.util.Locale;
import java.util.Map;

/**
 * What {@code bench stoq --hold N} measured. Memory is per side: the server runs in a child JVM,
 * so "server" figures are that process's and "client" figures are the bench process's (all N
 * client connections). Units are in the names; JSON keys are the same.
 */
record HoldReport(
    Results.Machine machine,
    Map<String, Object> parameters,
    int requestedConnections,
    int connectedConnections,
    int failedConnections,
    int serverActiveConnections,
    int payloadProtectedConnections,
    double handshakeSeconds,
    double handshakesPerSecond,
    double clientCpuMillisPerHandshake,
    double serverCpuMillisPerHandshake,
    CryptoBaseline.Rates cryptoBaseline,
    Double handshakeRateOverBaseline,
    Side server,
    Side client,
    double clientIdleCores,
    double serverIdleCores,
    Results.Latency latency,
    double clientCpuMicrosPerRequest,
    double serverCpuMicrosPerRequest,
    String error) {

  /** One process's memory before and after the N connections, and the growth per connection. */
  record Side(
      Results.Memory before,
      Results.Memory after,
      double heapBytesPerConnection,
      double directBytesPerConnection,
      double rssBytesPerConnection) {

    static Side of(Results.Memory before, Results.Memory after, int connections) {
      double n = Math.max(1, connections);
      return new Side(before, after,
          Results.round((after.heapBytes() - before.heapBytes()) / n, 0),
          Results.round((after.directBytes() - before.directBytes()) / n, 0),
          Results.round((after.rssBytes() - before.rssBytes()) / n, 0));
    }
  }

  String table() {
    StringBuilder b = new StringBuilder(Tables.machine(machine));
    b.append("parameters: ").append(parameters).append("\n\n");
    b.append(f("held connections:   %d of %d requested (%d failed; server counts %d active; "
            + "%d with sealed payloads)%n",
        connectedConnections, requestedConnections, failedConnections, serverActiveConnections,
        payloadProtectedConnections));
    b.append(f("handshakes:         %.1f /s at %s in flight (%.3f s for all); CPU per handshake: "
            + "client %.3f ms, server %.3f ms%n",
        handshakesPerSecond, parameters.get("handshakeConcurrency"), handshakeSeconds,
        clientCpuMillisPerHandshake, serverCpuMillisPerHandshake));
    if (cryptoBaseline != null) {
      CryptoBaseline.Rates c = cryptoBaseline;
      b.append(f("crypto per CPU-s:   FALCON-1024 sign %.0f/s, verify %.0f/s, chain check %.0f/s; "
              + "ML-KEM-1024 keygen %.0f/s, encaps %.0f/s, decaps %.0f/s%n",
          c.falconSignPerSecond(), c.falconVerifyPerSecond(), c.chainCheckPerSecond(),
          c.mlKemKeyGenPerSecond(), c.mlKemEncapsPerSecond(), c.mlKemDecapsPerSecond()));
      b.append(f("                    = client %.3f ms + server %.3f ms of crypto per handshake; "
              + "one core per side would give %.0f handshakes/s; measured / that = %s%n",
          c.clientMillisPerHandshake(), c.serverMillisPerHandshake(),
          c.oneCoreEachHandshakesPerSecond(), handshakeRateOverBaseline));
    }
    side(b, "server", server);
    side(b, "client", client);
    b.append(f("holding, idle:      client %.3f cores, server %.3f cores of CPU with no requests%n",
        clientIdleCores, serverIdleCores));
    Results.Latency l = latency;
    if (l != null) {
      b.append(f("latency:            %d B requests at %d req/s open loop spread over the held "
              + "connections: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs; %d of %d failed%n",
          l.payloadBytes(), l.ratePerSecond(), l.p50Micros(), l.p99Micros(), l.p999Micros(),
          l.maxMicros(), l.failed(), l.scheduled()));
      b.append(f("CPU per request:    client %.1f µs, server %.1f µs (process CPU over the latency run "
              + "/ answered requests; includes the idle cost above)%n", clientCpuMicrosPerRequest, serverCpuMicrosPerRequest));
    }
    if (error != null) {
      b.append("error: ").append(error).append('\n');
    }
    return b.toString();
  }

  private static void side(StringBuilder b, String name, Side s) {
    if (s == null) {
      return;
    }
    b.append(f("%s memory:      per connection heap %.0f B, direct %.0f B, RSS %.0f B "
            + "(heap %d -> %d MiB, direct %d -> %d MiB, RSS %d -> %d MiB)%n",
        name, s.heapBytesPerConnection(), s.directBytesPerConnection(), s.rssBytesPerConnection(),
        s.before().heapBytes() >> 20, s.after().heapBytes() >> 20,
        s.before().directBytes() >> 20, s.after().directBytes() >> 20,
        s.before().rssBytes() >> 20, s.after().rssBytes() >> 20));
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
