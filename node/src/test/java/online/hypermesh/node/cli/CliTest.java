package online.hypermesh.node.cli;

import online.hypermesh.node.local.DevPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and one-line errors of the client commands, without a cluster. */
class CliTest {

  private record Run(int exit, String err) {
  }

  private static Run run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    try {
      return new Run(HyperMeshCli.run(args), err.toString());
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void aMalformedNodeEndpointIsAUsageError() {
    Run run = run("asset", "get", "x", "--node", "not-an-endpoint");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("error: --node must be HOST:PORT"), run.err());
  }

  @Test
  void withoutAClientIdentityNothingIsSent(@TempDir Path dir) {
    Run run = run("asset", "get", "x", "--node", "[::1]:9", "--identity", dir.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().startsWith("error: no client identity in " + dir), run.err());
  }

  @Test
  void anUnreachableNodeExitsWithThreeAndOneLine(@TempDir Path dir) throws Exception {
    DevPki.openOrCreate(dir).issueClient("cli-test");
    Run run = run("asset", "get", "x", "--node", "[::1]:9", "--timeout", "2", "--identity", dir.toString());
    assertEquals(HyperMeshCli.EXIT_UNREACHABLE, run.exit());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().startsWith("error: node ::1 port 9:"), run.err());
  }

  @Test
  void statusWithoutAClusterSaysSo(@TempDir Path dir) {
    Run run = run("status", "--data", dir.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("no cluster was started from"), run.err());
  }

  @Test
  void downWithNothingRunningSucceeds(@TempDir Path dir) {
    assertEquals(0, run("down", "--data", dir.toString()).exit());
  }

  @Test
  void upRefusesAnImpossibleNodeCount(@TempDir Path dir) {
    Run run = run("up", "--nodes", "0", "--data", dir.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--nodes must be between 1 and 9"), run.err());
  }
}
