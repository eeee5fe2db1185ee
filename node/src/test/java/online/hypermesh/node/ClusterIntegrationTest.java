package online.hypermesh.node;

import online.hypermesh.node.local.LocalCluster;
import online.hypermesh.node.local.NodeSpec;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.trustchain.MerkleProofVerifier;
import online.hypermesh.protocol.trustchain.SignedTreeHead;
import online.hypermesh.protocol.trustchain.TrustChainClient;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetClient;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real parts end to end: a real Cassandra (one per test run, from the launcher), three node JVMs on ::1,
 * requests over real QUIC with the STOQ handshake (FALCON-1024 certificates from the cluster's node-local CA). A node is SIGKILLed and the whole cluster restarted on the same data.
 */
@ExtendWith(CassandraExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIntegrationTest {

  private static final Duration READY = Duration.ofMinutes(4);
  private static final KryoCodec CODEC = KryoCodec.of(new ProtocolRegistrar());
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Path dir = CassandraExtension.newDataDir("cluster-it");
    int base = TestPorts.freeBase(3);
    cluster = new LocalCluster(dir, base, List.of(CassandraExtension.endpoint().toString()));
    cluster.start(3);
    cluster.awaitReady(READY, line -> System.err.println("[cluster] " + line));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.stopAll(Duration.ofSeconds(20), line -> System.err.println("[cluster] " + line));
    }
  }

  private static StoqSettings clientSettings() {
    return StoqSettings.defaults().withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  private static StoqIdentity clientIdentity() {
    try {
      return cluster.clientIdentity().load(Set.of());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static AssetClient client(NodeSpec node) {
    return AssetClient.connect(node.host(), node.ports().stoq(), clientSettings(), StoqTls.defaults(), clientIdentity(), node.host());
  }

  @Test
  @Order(0)
  void onlyClientsWithACertificateFromTheClusterCaAreServed() throws Exception {
    NodeSpec node = cluster.node(2).orElseThrow();
    StoqIdentity ours = clientIdentity();
    NodeLocalCa otherCa = NodeLocalCa.create("some other CA", Duration.ofDays(1));
    Identity stranger = otherCa.issueIdentity(LeafSpec.of("stranger", CertificateRole.CLIENT, List.of(), List.of(), Duration.ofDays(1)));
    StoqIdentity strangerTrustingOurCa = new StoqIdentity(stranger.privateKey(), stranger.chain(), ours.trustAnchor(), Set.of());
    StoqException refused = assertThrows(StoqException.class, () -> StoqClient.connectBlocking(node.host(), node.ports().stoq(),
        clientSettings(), StoqTls.defaults(), strangerTrustingOurCa, node.host()));
    assertEquals(StoqError.UNAUTHENTICATED, refused.error(), refused.toString());
    assertTrue(refused.getMessage().contains("UNTRUSTED"), refused.getMessage());

    // A server whose certificate does not carry the expected name is refused by the client.
    StoqException wrongName = assertThrows(StoqException.class, () -> StoqClient.connectBlocking(node.host(), node.ports().stoq(),
        clientSettings(), StoqTls.defaults(), ours, "node-9.hypermesh.local"));
    assertEquals(StoqError.UNAUTHENTICATED, wrongName.error(), wrongName.toString());

    // The node keeps serving clients of its own CA.
    try (AssetClient client = client(node)) {
      assertInstanceOf(AssetResponse.Rejected.class, client.sendBlocking(new AssetRequest.Get("nothing-here")));
    }
  }

  @Test
  @Order(0)
  void everyNodeReachesBootstrapPhaseThreeAndExportsMetrics() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (NodeSpec node : cluster.nodes()) {
      // Phase 1 needs the node's own certificate in the transparency log, which it submits once Up.
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      var state = cluster.management().bootstrap(node.managementUrl());
      while ((state.isEmpty() || !state.get().complete()) && System.nanoTime() < deadline) {
        Thread.sleep(500);
        state = cluster.management().bootstrap(node.managementUrl());
      }
      assertTrue(state.isPresent(), node.name() + ": no /bootstrap answer");
      assertEquals(3, state.get().phase(), node.name() + " bootstrap: " + state.get());
      assertTrue(state.get().complete(), node.name() + " bootstrap: " + state.get());

      String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.managementUrl() + "/metrics"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("hypermesh_bootstrap_phase 3.0"), metrics);
      assertTrue(metrics.contains("hypermesh_cluster_members{status=\"up\"} 3.0"), metrics);
      assertTrue(metrics.contains("hypermesh_stoq_connections"), metrics);
    }
  }

  @Test
  @Order(1)
  void malformedInputGetsAnErrorAndTheNodeKeepsServing() {
    NodeSpec node = cluster.node(1).orElseThrow();
    try (StoqClient raw = StoqClient.connectBlocking(node.host(), node.ports().stoq(), clientSettings(), StoqTls.defaults(),
             clientIdentity(), node.host());
         AssetClient assets = client(node)) {
      // Garbage: not a frame at all.
      byte[] garbage = new byte[64];
      new Random(7).nextBytes(garbage);
      garbage[0] = 0;
      assertTrue(errorOrClosed(raw.exchangeRaw(garbage, true).toCompletableFuture()::join));

      // Oversize: a length prefix far above the node's 4 MiB limit gets an ERROR frame and the stream ends.
      // (Its code is sealed with the session keys here; protocol's StoqMalformedInputTest checks the codes.)
      byte[] oversize = ByteBuffer.allocate(16).putInt(64 * 1024 * 1024).put((byte) 1).put((byte) 1).array();
      assertErrorFrame(raw.exchangeRaw(oversize, false).toCompletableFuture().join());

      // A valid frame whose payload no layer serves: a registered message that is not a request...
      StoqException notARequest = requestFails(raw, CODEC.encode(new Asset("a", AssetType.CPU, 1, "user:x", PrivacyLevel.PUBLIC, 0)));
      assertEquals(StoqError.UNKNOWN_REQUEST_TYPE, notARequest.error());
      // ...and bytes that decode to nothing at all.
      StoqException undecodable = requestFails(raw, new byte[] {(byte) 0xee, 0x01, 0x02});
      assertEquals(StoqError.UNKNOWN_REQUEST_TYPE, undecodable.error());

      // The same connection and the node still serve a proper request.
      AssetResponse response = assets.sendBlocking(new AssetRequest.Get("never-registered"));
      assertEquals(AssetResponse.Reason.NOT_FOUND, assertInstanceOf(AssetResponse.Rejected.class, response).reason());
      byte[] reply = raw.requestBlocking(CODEC.encode(new AssetRequest.Get("never-registered")));
      assertInstanceOf(AssetResponse.Rejected.class, CODEC.decode(reply));
    }
  }

  @Test
  @Order(2)
  void assetsSurviveTheCrashOfTheirNodeAndAFullRestart() throws Exception {
    Map<String, Asset> registered = new TreeMap<>();
    try (AssetClient client = client(cluster.node(1).orElseThrow())) {
      for (int i = 0; i < 12; i++) {
        String owner = i % 2 == 0 ? "user:alice" : "user:bob";
        AssetType type = AssetType.values()[i % AssetType.values().length];
        AssetResponse response = client.sendBlocking(new AssetRequest.Register("asset-" + i, type.wireName(), 1000L + i, owner, "network"));
        Asset asset = assertInstanceOf(AssetResponse.Registered.class, response, response.toString()).asset();
        registered.put(asset.assetId(), asset);
      }
      AssetResponse duplicate = client.sendBlocking(new AssetRequest.Register("asset-0", "cpu", 1, "user:alice", "public"));
      assertEquals(AssetResponse.Reason.DUPLICATE, ((AssetResponse.Rejected) duplicate).reason());
    }

    // The node hosting the most asset entities is killed without warning.
    NodeSpec victim = cluster.nodes().stream()
        .max(Comparator.comparingInt(n -> cluster.management().entityCount(n.managementUrl(), "Asset")))
        .orElseThrow();
    assertTrue(cluster.management().entityCount(victim.managementUrl(), "Asset") > 0, "no node reports hosting assets");
    System.err.println("[cluster] SIGKILL " + victim.name() + " (pid " + victim.pid() + ")");
    cluster.kill(victim.index());

    NodeSpec survivor = cluster.nodes().get(0);
    assertAllReadable(survivor, registered, Duration.ofSeconds(120));

    // The whole cluster stops, then starts again on the same Cassandra data.
    cluster.stopAll(Duration.ofSeconds(30), line -> System.err.println("[cluster] " + line));
    cluster.start(3);
    cluster.awaitReady(READY, line -> System.err.println("[cluster] " + line));
    assertAllReadable(cluster.node(3).orElseThrow(), registered, Duration.ofSeconds(60));
  }

  @Test
  @Order(3)
  void theTransparencyLogKeepsItsTreeHeadWhenItsNodeIsKilledAndTheClusterRestarts() throws Exception {
    SignedTreeHead before = treeHead(cluster.node(1).orElseThrow(), Duration.ofSeconds(60));
    assertTrue(before.treeSize() >= 3, "every node logs its own certificate: " + before.treeSize());

    NodeSpec host = cluster.nodes().stream()
        .filter(n -> cluster.management().entityCount(n.managementUrl(), "TransparencyLog") > 0)
        .findFirst().orElseThrow(() -> new AssertionError("no node reports hosting the TransparencyLog"));
    System.err.println("[cluster] SIGKILL the log's node " + host.name() + " (pid " + host.pid() + ")");
    cluster.kill(host.index());
    NodeSpec survivor = cluster.nodes().stream().filter(n -> n.index() != host.index()).findFirst().orElseThrow();
    assertExtends(before, survivor);

    cluster.stopAll(Duration.ofSeconds(30), line -> System.err.println("[cluster] " + line));
    cluster.start(3);
    cluster.awaitReady(READY, line -> System.err.println("[cluster] " + line));
    assertExtends(before, cluster.node(2).orElseThrow());
  }

  /** The log, read through {@code node}, still holds the tree of {@code before} as its prefix (consistency proof). */
  private static void assertExtends(SignedTreeHead before, NodeSpec node) throws InterruptedException {
    SignedTreeHead now = treeHead(node, Duration.ofSeconds(120));
    assertTrue(now.treeSize() >= before.treeSize(), "the log shrank: " + before.treeSize() + " -> " + now.treeSize());
    try (TrustChainClient client = TrustChainClient.connect(node.host(), node.ports().stoq(), clientSettings(), StoqTls.defaults(),
        clientIdentity(), node.host())) {
      TrustChainResponse.ConsistencyProof proof = assertInstanceOf(TrustChainResponse.ConsistencyProof.class,
          client.sendBlocking(new TrustChainRequest.Consistency(before.treeSize(), now.treeSize())));
      assertArrayEquals(before.rootHash(), proof.from().rootHash(), "the root at size " + before.treeSize() + " changed");
      assertTrue(MerkleProofVerifier.verifyConsistency(before, proof.to(), proof.hashes()).isValid(),
          "consistency proof " + before.treeSize() + " -> " + now.treeSize() + " does not verify");
    }
  }

  /** The signed tree head through {@code node}, retried while the log's shard is handed over. */
  private static SignedTreeHead treeHead(NodeSpec node, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try (TrustChainClient client = TrustChainClient.connect(node.host(), node.ports().stoq(), clientSettings(), StoqTls.defaults(),
          clientIdentity(), node.host())) {
        TrustChainResponse response = client.sendBlocking(new TrustChainRequest.GetTreeHead());
        if (response instanceof TrustChainResponse.TreeHead head) {
          assertTrue(head.head().verify(online.hypermesh.node.trustchain.TrustChainKeys.decodePublicKey(head.logPublicKey()))
              .isValid(), "tree head signature");
          return head.head();
        }
      } catch (StoqException e) {
        assertTrue(e.error() == StoqError.TIMEOUT || e.error() == StoqError.UNAVAILABLE, e.toString());
      }
      assertTrue(System.nanoTime() < deadline, "no tree head from " + node.name() + " in time");
      Thread.sleep(1000);
    }
  }

  /** Every asset comes back, unchanged, and each owner's list is exactly its assets; retried while shards move. */
  private static void assertAllReadable(NodeSpec node, Map<String, Asset> expected, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<String> missing = new ArrayList<>(expected.keySet());
    try (AssetClient client = client(node)) {
      while (!missing.isEmpty()) {
        for (String id : List.copyOf(missing)) {
          try {
            AssetResponse response = client.sendBlocking(new AssetRequest.Get(id));
            if (response instanceof AssetResponse.Found found) {
              assertEquals(expected.get(id), found.asset());
              missing.remove(id);
            } else {
              AssetResponse.Rejected rejected = assertInstanceOf(AssetResponse.Rejected.class, response);
              assertTrue(rejected.reason() != AssetResponse.Reason.NOT_FOUND, "asset " + id + " was lost: " + rejected);
            }
          } catch (StoqException e) {
            // TIMEOUT or UNAVAILABLE while the dead node's shards are handed over.
            assertTrue(e.error() == StoqError.TIMEOUT || e.error() == StoqError.UNAVAILABLE, e.toString());
          }
        }
        if (!missing.isEmpty()) {
          assertTrue(System.nanoTime() < deadline, "assets not readable through " + node.name() + " in time: " + missing);
          Thread.sleep(1000);
        }
      }
      for (String owner : List.of("user:alice", "user:bob")) {
        List<Asset> owned = expected.values().stream().filter(a -> a.owner().equals(owner)).toList();
        AssetResponse.Listed listed = assertInstanceOf(AssetResponse.Listed.class, client.sendBlocking(new AssetRequest.ListByOwner(owner)));
        assertEquals(owned.stream().map(Asset::assetId).sorted().toList(), listed.assets().stream().map(Asset::assetId).sorted().toList());
      }
    }
  }

  private static StoqException requestFails(StoqClient raw, byte[] payload) {
    CompletionException failure = assertThrows(CompletionException.class, () -> raw.request(payload).toCompletableFuture().join());
    return assertInstanceOf(StoqException.class, failure.getCause());
  }

  private static boolean errorOrClosed(Supplier<byte[]> exchange) {
    byte[] answer = exchange.get();
    if (answer.length > 0) {
      assertErrorFrame(answer);
    }
    return true;
  }

  /** {@code answer} starts with a whole ERROR frame (version 1, type 3). */
  private static void assertErrorFrame(byte[] answer) {
    assertTrue(answer.length >= 16, "answer too short for a frame: " + answer.length + " bytes");
    ByteBuffer buffer = ByteBuffer.wrap(answer);
    int length = buffer.getInt();
    assertEquals(answer.length - 4, length, "the answer is not exactly one frame");
    assertEquals(1, buffer.get(), "frame version");
    assertEquals(3, buffer.get(), "not an ERROR frame");
  }
}
