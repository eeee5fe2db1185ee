package online.hypermesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tool works: short runs give valid JSON with non-zero figures. No timing is asserted. */
class BenchCliTest {

  private static String run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      int code = new CommandLine(new BenchCli()).execute(args);
      assertEquals(0, code, () -> "exit code; output: " + bytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void oneSecondComparisonGivesNonZeroFiguresAndValidJson() throws Exception {
    JsonNode report = new ObjectMapper().readTree(
        run("stoq", "--seconds", "1", "--connections", "2", "--rate", "200",
            "--bulk-kib", "16", "--pipeline", "4", "--json"));
    assertTrue(report.at("/machine/cores").asInt() > 0);
    assertEquals(4, report.get("scenarios").size());
    for (JsonNode s : report.get("scenarios")) {
      String name = s.get("name").asText();
      assertTrue(s.get("error").isNull(), name + ": " + s.get("error"));
      assertTrue(s.at("/oneConnection/gbitPerSecond").asDouble() > 0, name);
      if (!name.equals("udp")) {
        assertTrue(s.at("/manyConnections/gbitPerSecond").asDouble() > 0, name);
      }
      assertEquals(200, s.at("/latency/scheduled").asLong(), name);
      assertTrue(s.at("/latency/answered").asLong() > 0, name);
      assertTrue(s.at("/latency/p50Micros").asDouble() > 0, name);
      assertTrue(s.at("/latency/p99Micros").asDouble() >= s.at("/latency/p50Micros").asDouble(), name);
    }
    assertTrue(report.at("/stoqVsPlainQuic/throughputOneConnection").asDouble() > 0);
    assertTrue(report.at("/stoqVsPlainQuic/latencyP99").asDouble() > 0);
  }

  @Test
  void holdModeHoldsAuthenticatedConnectionsAndReportsEachSide() throws Exception {
    JsonNode report = new ObjectMapper().readTree(
        run("stoq", "--hold", "10", "--seconds", "0.5", "--rate", "100", "--handshake-concurrency", "8",
            "--hold-baseline-seconds", "0.2", "--json"));
    assertEquals(10, report.get("connectedConnections").asInt(), report::toPrettyString);
    assertEquals(10, report.get("serverActiveConnections").asInt());
    // The STOQ handshake ran: every connection negotiated sealed payloads.
    assertEquals(10, report.get("payloadProtectedConnections").asInt());
    assertTrue(report.get("handshakesPerSecond").asDouble() > 0);
    assertTrue(report.get("serverCpuMillisPerHandshake").asDouble() > 0);
    assertTrue(report.get("clientCpuMillisPerHandshake").asDouble() > 0);
    assertTrue(report.at("/cryptoBaseline/falconSignPerSecond").asDouble() > 0);
    assertTrue(report.at("/cryptoBaseline/mlKemDecapsPerSecond").asDouble() > 0);
    assertTrue(report.get("handshakeRateOverBaseline").asDouble() > 0);
    // Two processes: the server's RSS is its own JVM's, not the bench's.
    assertTrue(report.at("/server/after/rssBytes").asLong() > 0);
    assertTrue(report.at("/client/after/rssBytes").asLong() > 0);
    assertTrue(report.at("/server/after/rssBytes").asLong() != report.at("/client/after/rssBytes").asLong());
    assertEquals(50, report.at("/latency/scheduled").asLong());
    assertTrue(report.at("/latency/answered").asLong() > 0);
    assertTrue(report.get("serverCpuMicrosPerRequest").asDouble() > 0);
    assertTrue(report.get("serverIdleCores").asDouble() >= 0);
  }

  @Test
  void holdTransportOnlySkipsTheStoqHandshake() throws Exception {
    JsonNode report = new ObjectMapper().readTree(
        run("stoq", "--hold", "5", "--hold-transport-only", "--seconds", "0.5", "--rate", "100", "--json"));
    assertEquals(5, report.get("connectedConnections").asInt(), report::toPrettyString);
    assertEquals(0, report.get("payloadProtectedConnections").asInt());
    assertTrue(report.get("cryptoBaseline").isNull());
    assertTrue(report.at("/latency/answered").asLong() > 0);
  }

  @Test
  void tableNamesUnitsAndTheCommand() {
    String table = run("stoq", "--seconds", "0.5", "--only", "udp", "--rate", "100");
    assertTrue(table.contains("Gbit/s"), table);
    assertTrue(table.contains("µs"), table);
    assertTrue(table.contains("./hypermesh bench"), table);
  }

  /** Starts its own Cassandra and four validators; a tiny run, so the figures only have to exist. */
  @Test
  void consensusCommitsRealTransactionsAndReportsEveryPart() throws Exception {
    JsonNode report = new ObjectMapper().readTree(
        run("consensus", "--seconds", "1", "--rate", "20", "--saturation-transactions", "40", "--window", "20",
            "--baseline-seconds", "0.2", "--json"));
    assertEquals(20, report.at("/openLoop/submitted").asLong(), report::toPrettyString);
    assertTrue(report.at("/openLoop/committedFirst").asLong() > 0, report::toPrettyString);
    assertTrue(report.at("/openLoop/committedAll").asLong() > 0);
    assertTrue(report.at("/openLoop/firstValidator/p99Millis").asDouble() > 0);
    assertTrue(report.at("/saturation/committedFirst").asLong() > 0);
    assertTrue(report.at("/saturation/committedPerSecond").asDouble() > 0);
    assertTrue(report.at("/proving/perSecond").asDouble() > 0);
    assertTrue(report.at("/proving/meanTransactionBytes").asInt() > 0);
    assertTrue(report.at("/baselines/cassandraWrites/perSecond").asDouble() > 0);
    assertTrue(report.at("/baselines/falconSignPerCpuSecond").asDouble() > 0);
    assertTrue(report.at("/baselines/nkryptVerifyPerCpuSecond").asDouble() > 0);
    assertTrue(report.at("/ratios/verifyCeilingTxPerSecond").asDouble() > 0);
    assertTrue(report.get("loadAverageStart").asText().length() > 0);
    // Every validator's chain state accepted every committed block.
    assertEquals(0, report.get("problems").size(), report.get("problems")::toString);
  }

  /**
   * Starts its own Cassandra and four validators with a Caesar genesis; a tiny run: both workloads
   * commit, every acknowledged transfer applied on every validator and the ledger checks passed.
   */
  @Test
  void caesarCommitsOwnerSignedTransfersAgainstTheConsensusBaseline() throws Exception {
    JsonNode report = new ObjectMapper().readTree(
        run("caesar", "--seconds", "1", "--rate", "20", "--saturation-transactions", "30", "--window", "15",
            "--owners", "4", "--json"));
    for (String w : new String[] {"baseline", "caesar"}) {
      assertEquals(20, report.at("/" + w + "/openLoop/submitted").asLong(), report::toPrettyString);
      assertTrue(report.at("/" + w + "/openLoop/committedFirst").asLong() > 0, w);
      assertTrue(report.at("/" + w + "/openLoop/firstValidator/p99Millis").asDouble() > 0, w);
      assertTrue(report.at("/" + w + "/saturation/committedPerSecond").asDouble() > 0, w);
      assertTrue(report.at("/" + w + "/proving/perSecond").asDouble() > 0, w);
      assertEquals(0, report.at("/" + w + "/refusedByValidators").asLong(), w);
    }
    assertTrue(report.at("/caesarOverBaseline/saturationCommittedPerSecond").asDouble() > 0);
    assertEquals(50, report.at("/verification/submitted").asLong());
    assertEquals(50, report.at("/verification/acknowledged").asLong());
    assertEquals(50, report.at("/verification/appliedOnEveryValidator").asLong());
    assertEquals(0, report.at("/verification/failedByReason").size());
    assertTrue(report.at("/verification/conservationHoldsOnEveryValidator").asBoolean());
    assertTrue(report.at("/verification/balancesAndNoncesAsExpectedOnEveryValidator").asBoolean());
    assertTrue(report.at("/verification/stateDigestsAgreeAtEqualHeights").asBoolean());
    assertEquals(4, report.at("/verification/validatorHeights").size());
    assertEquals(0, report.get("problems").size(), report.get("problems")::toString);
  }

  @Test
  void percentilesByNearestRank() {
    long[] sorted = new long[1000];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(500, LatencyRecorder.percentile(sorted, 50));
    assertEquals(990, LatencyRecorder.percentile(sorted, 99));
    assertEquals(999, LatencyRecorder.percentile(sorted, 99.9));
    assertEquals(0, LatencyRecorder.percentile(new long[0], 99));
  }
}
