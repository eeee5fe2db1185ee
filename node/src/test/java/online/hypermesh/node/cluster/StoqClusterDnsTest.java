package online.hypermesh.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import online.hypermesh.node.cli.HyperMeshCli;
import online.hypermesh.node.local.DevPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes setup on one machine: nodes whose cluster addresses are DNS names (the pods'
 * stable names), with certificates from `hypermesh pki kubernetes`, each node in its own JVM
 * ({@link StoqNodeMain}) whose resolver is a hosts file (-Djdk.net.hosts.file) mapping the names to
 * ::1. The two pods form a cluster over STOQ; a node of the same CA claiming a name its
 * certificate does not carry, or only its common name, is refused with the reason in the log; a
 * node dialling the seed under a name the seed's certificate does not carry, or only as its common
 * name, gives up on it with the reason in its log.
 */
class StoqClusterDnsTest {

  private static final String DOMAIN = "svc.hypermesh.test";
  private static final String POD_0 = "hypermesh-0.hypermesh-nodes.test." + DOMAIN;
  private static final String POD_1 = "hypermesh-1.hypermesh-nodes.test." + DOMAIN;
  private static final String POD_2 = "hypermesh-2.hypermesh-nodes.test." + DOMAIN;
  private static final String NOT_ISSUED = "hypermesh-9.hypermesh-nodes.test." + DOMAIN;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
    }
    for (Process process : processes) {
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void podsNamedByDnsFormAClusterOverStoqAndUnissuedNamesAreRefused() throws Exception {
    Path pki = dir.resolve("pki");
    assertEquals(0, HyperMeshCli.run("pki", "kubernetes", "--replicas", "3", "--namespace", "test",
        "--cluster-domain", "hypermesh.test", "--validity", "1h", "--out", pki.toString()));
    Path hosts = dir.resolve("hosts");
    StringBuilder lines = new StringBuilder();
    for (String name : List.of(POD_0, POD_1, POD_2, NOT_ISSUED, "hypermesh-0", "hypermesh-2")) {
      lines.append("::1 ").append(name).append('\n');
    }
    // Libraries may ask for the machine's own name; the hosts file replaces the whole resolver.
    try {
      lines.append("127.0.0.1 ").append(InetAddress.getLocalHost().getHostName()).append('\n');
    } catch (UnknownHostException unnamed) {
      // Then nothing can resolve it in the child either way.
    }
    Files.writeString(hosts, lines);

    Path seedLog = start(pki, hosts, "hypermesh-0", POD_0, "self");
    String seed = awaitLine(seedLog, l -> l.startsWith("SELF ")).substring(5);
    assertTrue(seed.startsWith("pekko.tcp://HyperMesh@" + POD_0 + ":"), seed);
    Path secondLog = start(pki, hosts, "hypermesh-1", POD_1, seed);
    String second = awaitLine(secondLog, l -> l.startsWith("SELF ")).substring(5);
    assertTrue(second.startsWith("pekko.tcp://HyperMesh@" + POD_1 + ":"), second);
    // hypermesh-2's certificate names hypermesh-2.hypermesh-nodes..., not these two.
    Path otherNameLog = start(pki, hosts, "hypermesh-2", NOT_ISSUED, seed);
    Path commonNameLog = start(pki, hosts, "hypermesh-2", "hypermesh-2", seed);
    // hypermesh-2 under its own name, dialling the seed under names its certificate lacks.
    String seedPort = seed.substring(seed.lastIndexOf(':') + 1);
    String wrongSeed = "pekko.tcp://HyperMesh@" + NOT_ISSUED + ":" + seedPort;
    String cnSeed = "pekko.tcp://HyperMesh@hypermesh-0:" + seedPort;
    Path wrongSeedLog = start(pki, hosts, "hypermesh-2", POD_2, wrongSeed + "," + cnSeed);

    String both = "MEMBERS " + String.join(",", List.of(seed, second).stream().sorted().toList());
    awaitLine(seedLog, both::equals);
    awaitLine(secondLog, both::equals);

    String otherName = awaitLine(seedLog, l -> l.contains("remoting link from hypermesh-2")
        && l.contains("@" + NOT_ISSUED + ":"));
    assertTrue(otherName.contains("refused: certificate of hypermesh-2 may not join the cluster as")
        && otherName.contains("does not name " + NOT_ISSUED), otherName);
    String commonName = awaitLine(seedLog, l -> l.contains("remoting link from hypermesh-2")
        && l.contains("@hypermesh-2:"));
    assertTrue(commonName.contains("hypermesh-2 is not a DNS name in its subjectAltName"), commonName);

    String dialledOther = awaitLine(wrongSeedLog, l -> l.contains("remoting link to " + wrongSeed.substring(6)));
    assertTrue(dialledOther.contains("server certificate refused (WRONG_NAME)")
        && dialledOther.contains("does not name " + NOT_ISSUED), dialledOther);
    String dialledCommonName = awaitLine(wrongSeedLog, l -> l.contains("remoting link to " + cnSeed.substring(6)));
    assertTrue(dialledCommonName.contains(
        "certificate of hypermesh-0 does not carry hypermesh-0 as a DNS subjectAltName"), dialledCommonName);

    // Both were refused more than once by now (Pekko retries joins); the cluster is still the two.
    String impostorSelf = awaitLine(otherNameLog, l -> l.startsWith("SELF ")).substring(5);
    List<String> seen = Files.readAllLines(seedLog).stream().filter(l -> l.startsWith("MEMBERS ")).toList();
    assertEquals(both, seen.get(seen.size() - 1));
    for (Path impostor : List.of(otherNameLog, commonNameLog, wrongSeedLog)) {
      assertTrue(Files.readAllLines(impostor).stream()
              .noneMatch(l -> l.startsWith("MEMBERS ") && l.contains(seed)),
          impostor + " must never see the cluster");
    }
    assertTrue(seen.stream().noneMatch(l -> l.contains(impostorSelf)), "impostor never a member");
  }

  private Path start(Path pki, Path hosts, String pod, String canonicalHost, String seed) throws IOException {
    Path log = dir.resolve(processes.size() + "-" + pod + ".log");
    Path anchor = DevPki.trustAnchor(pki);
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.net.hosts.file=" + hosts,
        "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        StoqNodeMain.class.getName(),
        pki.resolve(pod + ".key").toString(), pki.resolve(pod + ".crt").toString(), anchor.toString(),
        canonicalHost, seed);
    processes.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start());
    return log;
  }

  private String awaitLine(Path log, Predicate<String> wanted) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (wanted.test(line)) {
            return line;
          }
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no such line in " + log + " within " + WAIT + ":\n" + Files.readString(log));
  }
}
