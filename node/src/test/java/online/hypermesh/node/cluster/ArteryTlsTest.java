package online.hypermesh.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.crypto.PqPem;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over mutual TLS with FALCON-anchored node certificates, on real TCP sockets: nodes of our
 * CA form a cluster; a node of another CA, a client-role certificate and a TLS client without any
 * certificate never get in.
 */
class ArteryTlsTest {

  @TempDir static Path dir;
  private static NodeLocalCa ca;
  private static NodeLocalCa otherCa;
  private final List<ActorSystem> systems = new ArrayList<>();

  @BeforeAll
  static void authorities() {
    ca = NodeLocalCa.create("artery test CA", Duration.ofDays(1));
    otherCa = NodeLocalCa.create("artery test CA", Duration.ofDays(1));
  }

  @AfterEach
  void stop() {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem system : systems) {
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void nodesOfOurCaFormAClusterAndOthersAreRefused() throws Exception {
    ActorSystem first = start("node-1", ca, CertificateRole.NODE, ca);
    ActorSystem second = start("node-2", ca, CertificateRole.NODE, ca);
    ActorSystem foreign = start("node-3", otherCa, CertificateRole.NODE, ca);
    ActorSystem client = start("client", ca, CertificateRole.CLIENT, ca);

    Cluster.get(first).join(Cluster.get(first).selfAddress());
    Cluster.get(second).join(Cluster.get(first).selfAddress());
    Cluster.get(foreign).join(Cluster.get(first).selfAddress());
    Cluster.get(client).join(Cluster.get(first).selfAddress());

    awaitUp(first, 2, Duration.ofSeconds(30));
    awaitUp(second, 2, Duration.ofSeconds(30));
    // Give the refused ones time to retry their joins; they must never appear.
    Thread.sleep(5_000);
    assertEquals(
        List.of(Cluster.get(first).selfAddress(), Cluster.get(second).selfAddress()).stream()
            .map(Object::toString).sorted().toList(),
        members(first).stream().map(m -> m.address().toString()).sorted().toList());
    assertTrue(members(foreign).stream().noneMatch(m -> m.status() == MemberStatus.up()),
        "a node of another CA must not get into the cluster");
    assertTrue(members(client).stream().noneMatch(m -> m.status() == MemberStatus.up()),
        "a client certificate must not get into the cluster");
  }

  @Test
  void aTlsClientWithoutCertificateIsRefused() throws Exception {
    ActorSystem node = start("node-1", ca, CertificateRole.NODE, ca);
    int port = Cluster.get(node).selfAddress().getPort().get();
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, new javax.net.ssl.TrustManager[] {trustAll()}, null);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("::1", port)) {
      socket.setSoTimeout(5_000);
      boolean refused;
      try {
        socket.startHandshake();
        // TLS 1.3: the server's refusal of the missing client certificate arrives on first read.
        refused = socket.getInputStream().read() < 0;
      } catch (IOException expected) {
        refused = true;
      }
      assertTrue(refused, "the node must refuse a TLS client without a certificate");
    }
  }

  private static javax.net.ssl.X509TrustManager trustAll() {
    return new javax.net.ssl.X509TrustManager() {
      public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    };
  }

  private ActorSystem start(String name, NodeLocalCa issuer, CertificateRole role, NodeLocalCa anchor)
      throws IOException {
    Identity identity =
        issuer.issueIdentity(LeafSpec.of(name, role, List.of(), List.of(), Duration.ofHours(1)));
    Path home = Files.createDirectories(dir.resolve(name + "-" + systems.size() + "-" + System.nanoTime()));
    PqPem.writePrivateKey(home.resolve("node.key"), identity.privateKey());
    PqPem.writeCertificates(home.resolve("node.crt"), identity.chain());
    PqPem.writeCertificates(home.resolve("ca.crt"), List.of(anchor.certificate()));
    Config config =
        ConfigFactory.parseString(
                "pekko.actor.provider = cluster\n"
                    + "pekko.remote.artery.transport = tls-tcp\n"
                    + "pekko.remote.artery.ssl.ssl-engine-provider = \""
                    + ArteryTlsProvider.class.getName() + "\"\n"
                    + "pekko.remote.artery.canonical.hostname = \"::1\"\n"
                    + "pekko.remote.artery.canonical.port = " + freeTcpPort() + "\n"
                    + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                    + "pekko.coordinated-shutdown.exit-jvm = off\n"
                    + "hypermesh.remoting.tls.certificate-validity = 1h\n"
                    + "hypermesh.stoq.identity {\n"
                    + "  key-file = \"" + home.resolve("node.key") + "\"\n"
                    + "  cert-file = \"" + home.resolve("node.crt") + "\"\n"
                    + "  trust-anchor-file = \"" + home.resolve("ca.crt") + "\"\n"
                    + "  revoked-serials = []\n"
                    + "}\n")
            .withFallback(ConfigFactory.load());
    ActorSystem system = ActorSystem.create("HyperMesh", config);
    systems.add(system);
    return system;
  }

  private static List<Member> members(ActorSystem system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .toList();
  }

  private static void awaitUp(ActorSystem system, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (members(system).stream().filter(m -> m.status() == MemberStatus.up()).count() == count) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "expected " + count + " members Up on " + Cluster.get(system).selfAddress() + ", got "
            + members(system));
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("::1", 0));
      return socket.getLocalPort();
    }
  }
}
