package online.hypermesh.node;

import online.hypermesh.node.bootstrap.Bootstrap;
import online.hypermesh.node.bootstrap.BootstrapCheck;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.node.local.PortBlock;
import online.hypermesh.node.metrics.Metrics;
import online.hypermesh.node.trustchain.NodeIdentity;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleProofVerifier;
import online.hypermesh.protocol.trustchain.TrustChainClient;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import online.hypermesh.persistence.JournalSchema;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real node (real Cassandra, real STOQ and Artery TLS) whose TrustChain certificate lives 40 s and is
 * renewed at half its life: the node replaces it before it expires, the new one is in the transparency
 * log (inclusion proof verifies) and in the node's certificate file, and after the original's expiry a
 * fresh STOQ connection succeeds and a second node joins over Artery TLS, both of which check the node's
 * chain (an expired certificate would be refused).
 */
@ExtendWith(CassandraExtension.class)
class CertificateRenewalTest {

  private static final Duration VALIDITY = Duration.ofSeconds(40);
  private static final String KEYSPACE = "hypermesh_renewal_it";

  /**
   * Creates the journal schema before the clock of the short certificate starts: on a busy machine a
   * fresh Cassandra can take longer to answer its first DDL than the certificate lives.
   */
  private static void createSchema() throws Exception {
    Config config = ConfigFactory.parseString(String.join("\n",
            "hypermesh.remoting.port = 0",
            "hypermesh.cassandra.keyspace = \"" + KEYSPACE + "\"",
            "hypermesh.cassandra.snapshot-keyspace = \"" + KEYSPACE + "_snapshot\"",
            "hypermesh.cassandra.contact-points = [\"" + CassandraExtension.endpoint() + "\"]",
            "pekko.remote.artery.transport = tcp",
            "pekko.coordinated-shutdown.exit-jvm = off"))
        .withFallback(ConfigFactory.parseResources("base.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "RenewalSchema", config);
    try {
      JournalSchema.create(Adapter.toClassic(system), Duration.ofMinutes(3));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static String config(int base, int index, IdentityFiles identity) {
    PortBlock ports = PortBlock.of(base, index);
    return String.join("\n",
        "include classpath(\"dev.conf\")",
        "hypermesh.node.name = \"node-" + index + "\"",
        // Artery TLS: this test checks that its delegated key follows the renewed certificate.
        "hypermesh.cluster.transport = \"artery-tls\"",
        "hypermesh.node.certificate-validity = 40s",
        "hypermesh.node.certificate-renewal-at = 0.5",
        "hypermesh.node.certificate-renewal-retry-min = 1s",
        "hypermesh.node.certificate-renewal-retry-max = 3s",
        "hypermesh.stoq.port = " + ports.stoq(),
        "hypermesh.remoting.port = " + ports.remoting(),
        "hypermesh.management.port = " + ports.management(),
        "hypermesh.cassandra.contact-points = [\"" + CassandraExtension.endpoint() + "\"]",
        "hypermesh.cassandra.keyspace = \"" + KEYSPACE + "\"",
        "hypermesh.cassandra.snapshot-keyspace = \"" + KEYSPACE + "_snapshot\"",
        "pekko.cluster.seed-nodes = [\"pekko://HyperMesh@[::1]:" + PortBlock.of(base, 1).remoting() + "\"]",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "hypermesh.stoq.identity.key-file = \"" + identity.key() + "\"",
        "hypermesh.stoq.identity.cert-file = \"" + identity.chain() + "\"",
        "hypermesh.stoq.identity.trust-anchor-file = \"" + identity.trustAnchor() + "\"");
  }

  @Test
  void theNodeRenewsItsCertificateBeforeExpiryAndKeepsServingAfterTheOriginalExpired() throws Exception {
    createSchema();
    Path dir = CassandraExtension.newDataDir("renewal-it");
    int base = TestPorts.freeBase(2);
    DevPki pki = DevPki.openOrCreate(dir.resolve("pki"));
    StoqIdentity client = pki.issueClient("renewal-test").load(Set.of());
    InetAddress loopback = InetAddress.getByName("::1");
    IdentityFiles node1Files = pki.issueNode("node-1", loopback, "local", VALIDITY);
    X509Certificate original = node1Files.load(Set.of()).chain().get(0);
    Instant originalExpiry = original.getNotAfter().toInstant();
    // One hierarchy: the node's certificate comes from the TrustChain intermediate under the STOQ anchor.
    assertEquals(pki.keys().issuer().root(), node1Files.load(Set.of()).trustAnchor());
    assertEquals(pki.keys().issuer().intermediate().getSubjectX500Principal(), original.getIssuerX500Principal());

    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(Node.start(NodeConfig.fromString(config(base, 1, node1Files))));
      NodeIdentity identity = NodeIdentity.get(Adapter.toClassic(nodes.get(0).system()));

      X509Certificate renewed = null;
      while (Instant.now().isBefore(originalExpiry)) {
        X509Certificate current = identity.certificate();
        if (!current.getSerialNumber().equals(original.getSerialNumber())) {
          renewed = current;
          break;
        }
        Thread.sleep(200);
      }
      assertTrue(renewed != null, "the certificate was not renewed before it expired at " + originalExpiry);
      assertArrayEquals(original.getPublicKey().getEncoded(), renewed.getPublicKey().getEncoded());
      assertEquals(original.getSubjectX500Principal(), renewed.getSubjectX500Principal());
      assertTrue(renewed.getNotAfter().toInstant().isAfter(originalExpiry));
      // The node's certificate file now holds a renewed certificate, so a restart starts with it.
      assertNotEquals(original.getSerialNumber(), node1Files.load(Set.of()).chain().get(0).getSerialNumber());

      StoqSettings settings = StoqSettings.defaults().withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(20));
      int port = PortBlock.of(base, 1).stoq();
      try (TrustChainClient tc = TrustChainClient.connect("::1", port, settings, StoqTls.defaults(), client, "::1")) {
        TrustChainResponse.InclusionProof proof = assertInstanceOf(TrustChainResponse.InclusionProof.class,
            tc.sendBlocking(new TrustChainRequest.ProofByCertificate(renewed.getEncoded(), 0)));
        assertTrue(proof.head().verify(pki.keys().logSigner().publicKey()).isValid());
        assertTrue(MerkleProofVerifier.verifyInclusion(proof.head(), proof.leafIndex(),
            MerkleHashes.leafHash(renewed.getEncoded()), proof.hashes()).isValid());
        // The CA knows both: the renewal it issued, and the first certificate, which the node registered
        // (and logged) when it came up, so either can be revoked.
        assertEquals(TrustChainResponse.CertificateState.GOOD, assertInstanceOf(TrustChainResponse.Status.class,
            tc.sendBlocking(new TrustChainRequest.Status(renewed.getSerialNumber().toString(16)))).state());
        TrustChainResponse.Status first = null;
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
          first = assertInstanceOf(TrustChainResponse.Status.class,
              tc.sendBlocking(new TrustChainRequest.Status(original.getSerialNumber().toString(16))));
          if (first.state() == TrustChainResponse.CertificateState.GOOD) {
            break;
          }
          Thread.sleep(200);
        }
        assertEquals(TrustChainResponse.CertificateState.GOOD, first.state());
        assertTrue(first.leafIndex() >= 0);
      }

      while (!Instant.now().isAfter(originalExpiry.plusSeconds(1))) {
        Thread.sleep(200);
      }
      // New handshakes present the renewed certificate: the client's verifier refuses an expired one.
      try (TrustChainClient tc = TrustChainClient.connect("::1", port, settings, StoqTls.defaults(), client, "::1")) {
        assertInstanceOf(TrustChainResponse.TreeHead.class, tc.sendBlocking(new TrustChainRequest.GetTreeHead()));
      }
      BootstrapCheck check = Bootstrap.get(nodes.get(0).system()).report().checks().stream()
          .filter(c -> c.name().equals("certificate")).findFirst().orElseThrow();
      assertTrue(check.passed() && check.detail().contains("valid until"), check.toString());
      String metrics = Metrics.get(Adapter.toClassic(nodes.get(0).system())).scrape();
      java.util.regex.Matcher expiry = java.util.regex.Pattern
          .compile("(?m)^hypermesh_node_certificate_expiry_seconds ([0-9.E-]+)$").matcher(metrics);
      assertTrue(expiry.find(), metrics);
      assertTrue(Double.parseDouble(expiry.group(1)) > 0, "the node's current certificate has expired: " + expiry.group());

      // A new node joins over Artery mutual TLS, which checks node-1's delegated chain too.
      nodes.add(Node.start(NodeConfig.fromString(config(base, 2, pki.issueNode("node-2", loopback, "local", VALIDITY)))));
      long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      // Both sides see both Up before the test stops them: a node stopped in the middle of its join
      // once did not finish terminating.
      while (upMembers(nodes.get(0)) < 2 || upMembers(nodes.get(1)) < 2) {
        assertTrue(System.nanoTime() < deadline, "node-2 did not join node-1 after node-1's first certificate expired");
        Thread.sleep(200);
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).stop();
      }
    }
  }

  private static long upMembers(Node node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }
}
