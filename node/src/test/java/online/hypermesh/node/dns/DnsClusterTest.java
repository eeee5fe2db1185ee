package online.hypermesh.node.dns;

import online.hypermesh.node.Node;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.node.local.PortBlock;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.dns.DnsNode;
import online.hypermesh.protocol.stoq.IdentityFiles;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A running two-node cluster (real Cassandra, real Artery, both nodes in this JVM so each can have its
 * own classic DNS port) answers standard DNS clients: kdig over QUIC on the STOQ port and over UDP/TCP.
 * node-1 (region eu, published as 2001:db8::1) and node-2 (region us, 2001:db8::2); askers from ::1
 * are in eu. When node-2 leaves, it disappears from the answers.
 */
@ExtendWith(CassandraExtension.class)
class DnsClusterTest {

  private static final List<Node> nodes = new ArrayList<>();
  private static final List<IdentityFiles> identities = new ArrayList<>();
  private static int base;

  @BeforeAll
  static void startCluster() throws Exception {
    assumeTrue(kdigAvailable(), "kdig is not installed (Debian: apt-get install knot-dnsutils; .ci/run installs it)");
    Path dir = CassandraExtension.newDataDir("dns-it");
    base = freeBase();
    DevPki pki = DevPki.openOrCreate(dir.resolve("pki"));
    for (int i = 1; i <= 2; i++) {
      identities.add(pki.issueNode("node-" + i, InetAddress.getByName("::1")));
    }
    // node-1 first: it is the seed.
    for (int i = 1; i <= 2; i++) {
      nodes.add(Node.start(NodeConfig.fromString(config(i))));
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (upCount(nodes.get(0)) < 2) {
      assertTrue(System.nanoTime() < deadline, "two nodes not Up in time");
      Thread.sleep(200);
    }
  }

  private static String config(int index) {
    PortBlock ports = PortBlock.of(base, index);
    IdentityFiles identity = identities.get(index - 1);
    return String.join("\n",
        "include classpath(\"dev.conf\")",
        "hypermesh.node.name = \"node-" + index + "\"",
        "hypermesh.node.region = \"" + (index == 1 ? "eu" : "us") + "\"",
        "hypermesh.stoq.port = " + ports.stoq(),
        "hypermesh.remoting.port = " + ports.remoting(),
        "hypermesh.management.port = " + ports.management(),
        "hypermesh.dns.classic.port = " + (ports.stoq() + 3),
        "hypermesh.dns.address = \"2001:db8::" + index + "\"",
        "hypermesh.dns.region-prefixes { eu = [\"::1/128\"] }",
        "hypermesh.cassandra.contact-points = [\"" + CassandraExtension.endpoint() + "\"]",
        "hypermesh.cassandra.keyspace = \"hypermesh_dns_it\"",
        "hypermesh.cassandra.snapshot-keyspace = \"hypermesh_dns_it_snapshot\"",
        "pekko.cluster.seed-nodes = [\"pekko.tcp://HyperMesh@[::1]:" + PortBlock.of(base, 1).stoq() + "\"]",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "hypermesh.stoq.identity.key-file = \"" + identity.key() + "\"",
        "hypermesh.stoq.identity.cert-file = \"" + identity.chain() + "\"",
        "hypermesh.stoq.identity.trust-anchor-file = \"" + identity.trustAnchor() + "\"");
  }

  @AfterAll
  static void stopCluster() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).stop();
    }
  }

  private static int upCount(Node node) {
    return (int) StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  @Test
  void kdigGetsTheClustersAnswersOverQuicUdpAndTcpAndFollowsMembership() throws Exception {
    int stoq1 = PortBlock.of(base, 1).stoq();
    int dns1 = stoq1 + 3;
    int dns2 = PortBlock.of(base, 2).stoq() + 3;
    String elsewhere = "+subnet=2001:db8:77::/48";

    // Both nodes publish once Up and ready; an asker of no known region gets both.
    String both = eventually(() -> kdig("-p", String.valueOf(dns2), elsewhere, "trust.hypermesh.online", "AAAA"),
        out -> out.contains("2001:db8::1") && out.contains("2001:db8::2"));
    assertTrue(both.contains("status: NOERROR") && both.contains(" aa"), both);

    // DNS over QUIC on the shared STOQ port; the asker (::1) is in region eu: node-1 only.
    String quic = kdig("+quic", "-p", String.valueOf(stoq1), "trust.hypermesh.online", "AAAA");
    assertTrue(quic.contains("status: NOERROR") && quic.contains("2001:db8::1") && !quic.contains("2001:db8::2"), quic);
    assertTrue(quic.contains("QUIC"), "kdig did not use QUIC:\n" + quic);

    // TLSA over TCP binds node-2's name to its certificate's key.
    X509Certificate node2 = identities.get(1).load(java.util.Set.of()).chain().get(0);
    String spki = HexFormat.of().withUpperCase().formatHex(DnsNode.spkiSha256(node2));
    int stoq2 = PortBlock.of(base, 2).stoq();
    // Each node builds its own zone from membership, so node-1 may learn of node-2 a moment after node-2 did.
    String tlsa = eventually(() -> kdig("+tcp", "-p", String.valueOf(dns1), "_" + stoq2 + "._udp.node-2.hypermesh.online", "TLSA"),
        out -> out.replace(" ", "").toUpperCase().contains(spki));
    assertTrue(tlsa.contains("status: NOERROR"), tlsa);

    String refused = kdig("-p", String.valueOf(dns1), "example.com", "AAAA");
    assertTrue(refused.contains("status: REFUSED"), refused);

    // node-2 leaves: it is no longer served, by either transport.
    nodes.remove(1).stop();
    eventually(() -> kdig("-p", String.valueOf(dns1), elsewhere, "trust.hypermesh.online", "AAAA"),
        out -> out.contains("2001:db8::1") && !out.contains("2001:db8::2"));
    String gone = eventually(() -> kdig("+quic", "-p", String.valueOf(stoq1), "node-2.hypermesh.online", "AAAA"),
        out -> out.contains("status: NXDOMAIN"));
    assertTrue(gone.contains("SOA"), gone);
  }

  private interface Query {
    String run() throws Exception;
  }

  private static String eventually(Query query, Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = query.run();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    fail("not answered as expected in time; last answer:\n" + last);
    return last;
  }

  /** Ports base..base+13 free on ::1 (two port blocks, DNS at STOQ + 3). */
  private static int freeBase() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int candidate = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_200) * 10;
      boolean free = true;
      for (int port = candidate; port < candidate + PortBlock.STRIDE + 4 && free; port++) {
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket(new java.net.InetSocketAddress("::1", port));
             java.net.ServerSocket tcp = new java.net.ServerSocket()) {
          tcp.bind(new java.net.InetSocketAddress("::1", port));
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free ports");
  }

  static boolean kdigAvailable() {
    try {
      return new ProcessBuilder("kdig", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static String kdig(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kdig", "@::1", "+timeout=3", "+retry=0"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "kdig did not finish");
    return String.join(" ", command) + "\n" + output;
  }
}
