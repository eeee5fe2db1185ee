package online.hypermesh.node.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import online.hypermesh.node.cli.HyperMeshCli;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.protocol.dns.DnsNode;
import online.hypermesh.protocol.dns.DnsResponder;
import online.hypermesh.protocol.dns.DnsSettings;
import online.hypermesh.protocol.dns.DnsZone;
import online.hypermesh.protocol.dns.DoqService;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh dns resolve` against a real DoQ listener on ::1: answers, exit codes, one-line errors. */
class DnsCommandTest {

  @TempDir
  static Path dir;
  private static StoqServer server;
  private static String endpoint;

  private record Run(int exit, String out, String err) {
  }

  @BeforeAll
  static void start() throws Exception {
    InetAddress loopback = InetAddress.getByName("::1");
    StoqIdentity identity = DevPki.openOrCreate(dir).issueNode("node-1", loopback).load(Set.of());
    DnsNode node = new DnsNode("node-1", (Inet6Address) InetAddress.getByName("2001:db8::1"), 8443, "local",
        DnsNode.spkiSha256(identity.chain().get(0)));
    DnsZone zone = DnsZone.of(DnsSettings.defaults(), "node-1", List.of(node), 7);
    StoqSettings settings = new StoqSettings(loopback, 0, StoqSettings.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(30), 100,
        1L << 20, 1L << 20, Duration.ofSeconds(10), Duration.ofSeconds(10), true);
    server = new StoqServer(settings, payload -> CompletableFuture.completedFuture(new byte[0]), StoqTls.defaults(), identity,
        List.of(new DoqService(new DnsResponder(() -> zone), Duration.ofSeconds(5))));
    endpoint = "[::1]:" + server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBytes, true));
    System.setErr(new PrintStream(errBytes, true));
    try {
      return new Run(HyperMeshCli.run(args), outBytes.toString(), errBytes.toString());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void resolvesOverDoqAndPrintsJson() throws Exception {
    Run run = run("dns", "resolve", "trust.hypermesh.online", "AAAA", "--node", endpoint, "--json");
    assertEquals(0, run.exit(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertEquals("NOERROR", json.get("status").asText());
    assertEquals("doq", json.get("transport").asText());
    assertEquals("2001:db8::1", json.get("answer").get(0).get("data").asText());

    Run text = run("dns", "resolve", "_8443._udp.node-1.hypermesh.online", "tlsa", "--node", endpoint);
    assertEquals(0, text.exit(), text.err());
    assertTrue(text.out().contains("TLSA") && text.out().contains("3 1 1"), text.out());
  }

  @Test
  void aNegativeAnswerIsPrintedAndExitsRejected() {
    Run run = run("dns", "resolve", "node-7.hypermesh.online", "AAAA", "--node", endpoint);
    assertEquals(HyperMeshCli.EXIT_REJECTED, run.exit());
    assertTrue(run.out().contains("NXDOMAIN") && run.out().contains("SOA"), run.out());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertEquals(1, run("dns", "resolve", "example.com", "AAAA", "--node", endpoint).exit());
  }

  @Test
  void usageErrorsAndUnreachableNodes() {
    assertEquals(2, run("dns", "resolve", "trust.hypermesh.online", "NOPE", "--node", endpoint).exit());
    assertEquals(2, run("dns", "resolve", "trust.hypermesh.online", "AAAA", "--node", "nowhere").exit());
    Run unreachable = run("dns", "resolve", "trust.hypermesh.online", "AAAA", "--node", "[::1]:9", "--timeout", "2");
    assertEquals(HyperMeshCli.EXIT_UNREACHABLE, unreachable.exit());
    assertTrue(unreachable.err().startsWith("error: node ::1 port 9:"), unreachable.err());
    assertEquals(1, unreachable.err().strip().lines().count(), unreachable.err());
  }
}
