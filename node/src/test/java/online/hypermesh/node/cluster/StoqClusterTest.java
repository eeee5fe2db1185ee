package online.hypermesh.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import online.hypermesh.node.stoq.NodeStoqHandler;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqLink;
import online.hypermesh.protocol.stoq.StoqLinkListener;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.remote.transport.HandshakeInfo;
import org.apache.pekko.remote.transport.PekkoPduProtobufCodec$;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pekko cluster traffic over STOQ links on real QUIC sockets: nodes of our CA form a cluster on
 * their STOQ UDP ports (no TCP listener); a node of another CA, a client certificate, an expired
 * node certificate, a node claiming an address its certificate does not name, and an Associate
 * PDU from another address than the one admitted never get in.
 */
class StoqClusterTest {

  private static final StoqSettings SETTINGS =
      StoqSettings.defaults().withBind(StoqSettings.ipv6("::1"), 0)
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
  private static final InetAddress LOOPBACK = StoqSettings.ipv6("::1");
  private static NodeLocalCa ca;
  private static NodeLocalCa otherCa;
  private final List<ActorSystem> systems = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void authorities() {
    ca = NodeLocalCa.create("stoq cluster test CA", Duration.ofDays(1));
    otherCa = NodeLocalCa.create("stoq cluster test CA", Duration.ofDays(1));
  }

  @AfterEach
  void stop() throws Exception {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem system : systems) {
      system.getWhenTerminated().toCompletableFuture().join();
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private static Identity identity(NodeLocalCa issuer, String name, CertificateRole role,
      List<InetAddress> addresses, Duration validity) {
    return issuer.issueIdentity(LeafSpec.of(name, role, List.of(), addresses, validity));
  }

  private static Identity node(NodeLocalCa issuer, String name) {
    return identity(issuer, name, CertificateRole.NODE, List.of(LOOPBACK), Duration.ofHours(1));
  }

  private static Identity expiredNode(String name) {
    Instant now = Instant.now();
    return ca.issueIdentity(LeafSpec.of(name, CertificateRole.NODE, List.of(), List.of(LOOPBACK),
        Duration.ofHours(1)).withValidity(now.minusSeconds(7200), now.minusSeconds(3600)));
  }

  /** A node as Node.start wires it: STOQ bound first, then the ActorSystem attached to it. */
  private ActorSystem start(Identity identity) {
    StoqIdentity stoqIdentity = StoqIdentity.of(identity, ca.certificate(), Set.of());
    StoqTls tls = StoqTls.defaults();
    StoqClusterAttachment attachment = StoqClusterAttachment.create(SETTINGS, tls, stoqIdentity);
    StoqServer server = new StoqServer(SETTINGS, new NodeStoqHandler(attachment), tls, stoqIdentity);
    int port = server.start();
    attachment.bound(port);
    closeables.add(server);
    closeables.add(attachment::unregister);
    Config config =
        ConfigFactory.parseString(
                "hypermesh.cluster.transport = stoq\n"
                    + "hypermesh.node.host = \"::1\"\n"
                    + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                    + "pekko.coordinated-shutdown.exit-jvm = off\n"
                    + "pekko.cluster.seed-nodes = []\n")
            .withFallback(ConfigFactory.parseResources("base.conf"))
            .withFallback(ConfigFactory.load());
    ClusterTransport transport = ClusterTransport.of(config.resolve());
    ActorSystem system =
        ActorSystem.create("HyperMesh", transport.systemConfig(config, attachment));
    systems.add(system);
    return system;
  }

  @Test
  void nodesOfOurCaFormAClusterOverStoqAndOthersAreRefused() throws Exception {
    Set<Long> listenersBefore = tcpListeners();
    ActorSystem first = start(node(ca, "node-1"));
    ActorSystem second = start(node(ca, "node-2"));
    ActorSystem foreign = start(node(otherCa, "node-3"));
    ActorSystem client =
        start(identity(ca, "client", CertificateRole.CLIENT, List.of(LOOPBACK), Duration.ofHours(1)));
    ActorSystem expired = start(expiredNode("node-4"));
    Address seed = Cluster.get(first).selfAddress();
    assertEquals("pekko.tcp", seed.protocol());
    assertEquals("[::1]", seed.host().get());

    for (ActorSystem system : List.of(first, second, foreign, client, expired)) {
      Cluster.get(system).join(seed);
    }
    awaitUp(first, 2, Duration.ofSeconds(30));
    awaitUp(second, 2, Duration.ofSeconds(30));
    // Give the refused ones time to retry their joins; they must never appear.
    Thread.sleep(5_000);
    assertEquals(
        List.of(seed, Cluster.get(second).selfAddress()).stream().map(Object::toString).sorted()
            .toList(),
        members(first).stream().map(m -> m.address().toString()).sorted().toList());
    for (ActorSystem refused : List.of(foreign, client, expired)) {
      assertTrue(members(refused).stream().noneMatch(m -> m.status() == MemberStatus.up()),
          Cluster.get(refused).selfAddress() + " must not get into the cluster");
    }
    assertEquals(listenersBefore, tcpListeners(), "the stoq transport opens no TCP listener");
  }

  @Test
  void linksAreAdmittedOnlyForNodeCertificatesNamingTheClaimedAddress() throws Exception {
    ActorSystem node = start(node(ca, "node-1"));
    Address self = Cluster.get(node).selfAddress();
    int port = (Integer) self.port().get();
    Address claim = new Address("tcp", "HyperMesh", "[::1]", 40001);

    StoqException clientRole = linkFailure(
        identity(ca, "client-1", CertificateRole.CLIENT, List.of(LOOPBACK), Duration.ofHours(1)),
        port, claim);
    assertEquals(StoqError.UNAUTHENTICATED, clientRole.error());
    assertTrue(clientRole.getMessage().contains("role client"), clientRole.getMessage());

    Identity elsewhere = identity(ca, "node-9", CertificateRole.NODE,
        List.of(StoqSettings.ipv6("2001:db8::9")), Duration.ofHours(1));
    StoqException impersonation = linkFailure(elsewhere, port, claim);
    assertEquals(StoqError.UNAUTHENTICATED, impersonation.error());
    assertTrue(impersonation.getMessage().contains("does not name ::1"),
        impersonation.getMessage());

    // Another CA and an expired certificate do not get past the STOQ handshake.
    assertEquals(StoqError.UNAUTHENTICATED, connectFailure(node(otherCa, "node-7"), port).error());
    assertEquals(StoqError.UNAUTHENTICATED, connectFailure(expiredNode("node-8"), port).error());

    // A node admitted for one address whose Pekko handshake claims another is cut off.
    try (StoqClient ok = connect(node(ca, "node-5"), port)) {
      StoqLink link = ok.openLink(RemotingAdmission.opening(claim), 1 << 20)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      CompletableFuture<String> closed = new CompletableFuture<>();
      link.start(new StoqLinkListener() {
        @Override
        public void onMessage(ByteBuf message) {}

        @Override
        public void onClosed(String reason) {
          closed.complete(reason);
        }
      });
      Address other = new Address("pekko.tcp", "HyperMesh", "[::1]", 40002);
      byte[] associate = PekkoPduProtobufCodec$.MODULE$
          .constructAssociate(HandshakeInfo.apply(other, 42)).toArray();
      assertTrue(link.send(Unpooled.wrappedBuffer(associate)));
      assertEquals("peer ended the link", closed.get(10, TimeUnit.SECONDS));
    }
  }

  private static StoqClient connect(Identity identity, int port) {
    return StoqClient.connectBlocking("::1", port, SETTINGS, StoqTls.defaults(),
        StoqIdentity.of(identity, ca.certificate(), Set.of()), "::1");
  }

  private static StoqException connectFailure(Identity identity, int port) {
    StoqException e = assertThrows(StoqException.class, () -> connect(identity, port).close());
    return e;
  }

  private static StoqException linkFailure(Identity identity, int port, Address claim)
      throws Exception {
    try (StoqClient client = connect(identity, port)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> client.openLink(RemotingAdmission.opening(claim), 1 << 20)
              .toCompletableFuture().get(10, TimeUnit.SECONDS));
      return (StoqException) e.getCause();
    }
  }

  /** Inodes of this process's listening TCP sockets (IPv4 and IPv6), from /proc. */
  private static Set<Long> tcpListeners() throws IOException {
    Set<Long> ours = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            ours.add(Long.parseLong(target.substring(8, target.length() - 1)));
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    Set<Long> listening = new HashSet<>();
    for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
        String[] f = line.trim().split("\\s+");
        long inode = Long.parseLong(f[9]);
        if (f[3].equals("0A") && ours.contains(inode)) {
          listening.add(inode);
        }
      }
    }
    return listening;
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
}
