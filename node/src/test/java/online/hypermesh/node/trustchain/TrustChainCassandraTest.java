package online.hypermesh.node.trustchain;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import online.hypermesh.actors.trustchain.TrustChainService;
import online.hypermesh.node.cli.HyperMeshCli;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.node.stoq.StoqRouter;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import online.hypermesh.protocol.trustchain.TrustChainClient;
import online.hypermesh.persistence.JournalSchema;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.trustchain.CertificateRequestSpec;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleProofVerifier;
import online.hypermesh.protocol.trustchain.RevocationReason;
import online.hypermesh.protocol.trustchain.SignedTreeHead;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.trustchain.TrustChainResponse.CertificateState;
import online.hypermesh.protocol.trustchain.TrustRole;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CA and the CT log as sharded, event-sourced entities on a real Cassandra: concurrent issuance, every
 * certificate logged and provable, revocation and status, and all of it unchanged after the ActorSystem is
 * replaced (a node restart: the entities recover from the journal).
 */
@ExtendWith(CassandraExtension.class)
class TrustChainCassandraTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Config config(String keyspace) {
    return ConfigFactory.parseString("""
            hypermesh.remoting.port = 0
            hypermesh.cassandra.keyspace = "%s"
            hypermesh.cassandra.snapshot-keyspace = "%s_snapshot"
            hypermesh.cassandra.contact-points = ["%s"]
            pekko.remote.artery.transport = tcp
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.loglevel = WARNING
            """.formatted(keyspace, keyspace, CassandraExtension.endpoint()))
        .withFallback(ConfigFactory.parseResources("base.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private record Running(ActorSystem<Void> system, TrustChainService service) {
    TrustChainResponse ask(TrustChainRequest request) throws Exception {
      return service.handle(request).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static Running start(Config config, TrustChainKeys keys) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "TrustChainTest", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    JournalSchema.create(Adapter.toClassic(system), Duration.ofMinutes(3));
    TrustChainService service = TrustChainService.start(system, "main", "main", keys.issuer(),
        IssuancePolicy.defaults("hypermesh.online"), keys.logSigner(), Duration.ofSeconds(20),
        Executors.newFixedThreadPool(2));
    return new Running(system, service);
  }

  private static online.hypermesh.node.cli.InProcessCli.Result cli(String[] common, String... args) {
    return online.hypermesh.node.cli.InProcessCli.run(common, args);
  }

  private static byte[] csr(String name, TrustRole role) throws Exception {
    return SigningRequests.toDer(SigningRequests.create(Falcon.generateKeyPair(), new CertificateRequestSpec(
        name, role, name.contains(".") ? List.of(name) : List.of(), List.of(InetAddress.getByName("2001:db8::5")),
        "eu-west")));
  }

  private static X509Certificate parse(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509", online.hypermesh.protocol.crypto.Pq.BC)
        .generateCertificate(new ByteArrayInputStream(der));
  }

  @Test
  void issuedCertificatesAreLoggedProvableRevocableAndSurviveARestart(@TempDir Path pki) throws Exception {
    TrustChainKeys keys = TrustChainKeys.openOrCreate(pki);
    // A second open reads the same material (what every other node and every restart does).
    TrustChainKeys again = TrustChainKeys.openOrCreate(pki);
    assertEquals(keys.issuer().root(), again.issuer().root());
    assertArrayEquals(keys.logSigner().logId(), again.logSigner().logId());

    Config config = config("tc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    Running node = start(config, keys);
    List<X509Certificate> issued = new ArrayList<>();
    SignedTreeHead before;
    BigInteger revokedSerial;
    try {
      List<CompletableFuture<TrustChainResponse>> pending = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        pending.add(node.service().handle(new TrustChainRequest.Issue(csr("n" + i + ".hypermesh.online", TrustRole.NODE), 0))
            .toCompletableFuture());
      }
      CertificateVerifier verifier = new CertificateVerifier(keys.issuer().root(), Set.of());
      java.util.Set<Long> indexes = new java.util.HashSet<>();
      for (CompletableFuture<TrustChainResponse> future : pending) {
        TrustChainResponse.Issued response = assertInstanceOf(TrustChainResponse.Issued.class,
            future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        X509Certificate leaf = parse(response.certificateDer());
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        for (byte[] der : response.chainDer()) {
          chain.add(parse(der));
        }
        verifier.verify(chain, CertificateVerifier.commonName(leaf), null);
        // Node certificates default to 24 h.
        long hours = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).toHours();
        assertEquals(24, hours);
        assertTrue(response.receipt().verify(keys.logSigner().publicKey(),
            MerkleHashes.leafHash(response.certificateDer())).isValid());
        indexes.add(response.receipt().leafIndex());
        issued.add(leaf);
      }
      assertEquals(12, indexes.size(), "every certificate has its own leaf");

      // Every certificate is in the log; its proof verifies independently against a signed head.
      for (X509Certificate leaf : issued) {
        TrustChainResponse.InclusionProof proof = assertInstanceOf(TrustChainResponse.InclusionProof.class,
            node.ask(new TrustChainRequest.ProofByCertificate(leaf.getEncoded(), 0)));
        assertTrue(proof.head().verify(keys.logSigner().publicKey()).isValid());
        assertTrue(MerkleProofVerifier.verifyInclusion(proof.head(), proof.leafIndex(),
            MerkleHashes.leafHash(leaf.getEncoded()), proof.hashes()).isValid());
      }

      // Refusals are answers with the policy's reason, and the CA keeps serving.
      TrustChainResponse.Rejected wrongSuffix = assertInstanceOf(TrustChainResponse.Rejected.class,
          node.ask(new TrustChainRequest.Issue(csr("n1.example.com", TrustRole.NODE), 0)));
      assertTrue(wrongSuffix.message().startsWith("COMMON_NAME_NOT_ALLOWED"), wrongSuffix.message());
      TrustChainResponse.Rejected garbage = assertInstanceOf(TrustChainResponse.Rejected.class,
          node.ask(new TrustChainRequest.Issue(new byte[] {0x30, 0x03, 1, 2, 3}, 0)));
      assertTrue(garbage.message().startsWith("MALFORMED_REQUEST"), garbage.message());
      TrustChainResponse.Rejected tooLong = assertInstanceOf(TrustChainResponse.Rejected.class,
          node.ask(new TrustChainRequest.Issue(csr("n99.hypermesh.online", TrustRole.NODE), 25 * 3600)));
      assertTrue(tooLong.message().startsWith("VALIDITY_NOT_ALLOWED"), tooLong.message());

      // Revocation and status.
      revokedSerial = issued.get(3).getSerialNumber();
      String hex = revokedSerial.toString(16);
      assertEquals(CertificateState.GOOD, assertInstanceOf(TrustChainResponse.Status.class,
          node.ask(new TrustChainRequest.Status(hex))).state());
      TrustChainResponse.Revoked revoked = assertInstanceOf(TrustChainResponse.Revoked.class,
          node.ask(new TrustChainRequest.Revoke(hex, "keyCompromise")));
      assertEquals(RevocationReason.KEY_COMPROMISE, revoked.reason());
      assertEquals(TrustChainResponse.Reason.ALREADY_REVOKED, assertInstanceOf(TrustChainResponse.Rejected.class,
          node.ask(new TrustChainRequest.Revoke(hex, "superseded"))).reason());
      assertEquals(TrustChainResponse.Reason.INVALID, assertInstanceOf(TrustChainResponse.Rejected.class,
          node.ask(new TrustChainRequest.Revoke(hex, "because"))).reason());
      assertEquals(CertificateState.UNKNOWN, assertInstanceOf(TrustChainResponse.Status.class,
          node.ask(new TrustChainRequest.Status("abcdef"))).state());
      CertificateVerifier revoking = new CertificateVerifier(keys.issuer().root(), Set.of(revokedSerial));
      List<X509Certificate> revokedChain = new ArrayList<>(List.of(issued.get(3)));
      revokedChain.addAll(keys.issuer().chain());
      assertEquals(CertificateRejectedException.Reason.REVOKED,
          assertThrows(CertificateRejectedException.class, () -> revoking.verify(revokedChain, null, null)).reason());

      before = assertInstanceOf(TrustChainResponse.TreeHead.class, node.ask(new TrustChainRequest.GetTreeHead())).head();
      assertEquals(12, before.treeSize());
    } finally {
      node.system().terminate();
      node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    // A new ActorSystem on the same Cassandra: the log and the CA recover from their journals. This time
    // wired as the node wires it (TrustChainNode from config) and reached over real STOQ on ::1.
    Config nodeConfig = ConfigFactory.parseString("hypermesh.trustchain.pki-dir = \"" + pki + "\"").withFallback(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "TrustChainTest", nodeConfig);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    JournalSchema.create(Adapter.toClassic(system), Duration.ofMinutes(3));
    TrustChainNode trustChain = TrustChainNode.start(system, nodeConfig);
    Running restarted = new Running(system, trustChain.service());
    SignedTreeHead after = assertInstanceOf(TrustChainResponse.TreeHead.class,
        restarted.ask(new TrustChainRequest.GetTreeHead())).head();
    assertEquals(before.treeSize(), after.treeSize());
    assertArrayEquals(before.rootHash(), after.rootHash());
    // Every identity from the same TrustChain hierarchy, as `hypermesh up` issues them.
    DevPki devPki = DevPki.openOrCreate(pki);
    StoqServer server = new StoqServer(StoqSettings.defaults().withBind(InetAddress.getByName("::1"), 0),
        new StoqRouter(KryoCodec.of(new ProtocolRegistrar()), null, trustChain), StoqTls.defaults(),
        devPki.issueNode("node-1", InetAddress.getByName("::1")).load(Set.of()));
    int port = server.start();
    try {
      StoqSettings clientSettings = StoqSettings.defaults().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(30));
      StoqIdentity operator = devPki.issueClient("operator").load(Set.of());
      StoqIdentity otherNode = devPki.issueNode("node-2", InetAddress.getByName("::2")).load(Set.of());
      try (TrustChainClient client = TrustChainClient.connect("::1", port, clientSettings, StoqTls.defaults(), operator, "::1")) {
        TrustChainResponse.Issued overStoq = assertInstanceOf(TrustChainResponse.Issued.class,
            client.sendBlocking(new TrustChainRequest.Issue(csr("bob", TrustRole.USER), 600)));
        assertTrue(overStoq.receipt().verify(keys.logSigner().publicKey(),
            MerkleHashes.leafHash(overStoq.certificateDer())).isValid());
      }
      try (TrustChainClient client = TrustChainClient.connect("::1", port, clientSettings, StoqTls.defaults(), otherNode, "::1")) {
        TrustChainResponse.Rejected refused = assertInstanceOf(TrustChainResponse.Rejected.class,
            client.sendBlocking(new TrustChainRequest.Issue(csr("mallory", TrustRole.USER), 600)));
        assertEquals(TrustChainResponse.Reason.NOT_AUTHORIZED, refused.reason());
        assertEquals(TrustChainResponse.Reason.NOT_AUTHORIZED, assertInstanceOf(TrustChainResponse.Rejected.class,
            client.sendBlocking(new TrustChainRequest.Revoke(revokedSerial.toString(16), "superseded"))).reason());
        // Reads are open to any authenticated peer.
        assertEquals(13, assertInstanceOf(TrustChainResponse.TreeHead.class,
            client.sendBlocking(new TrustChainRequest.GetTreeHead())).head().treeSize());
      }

      // The CLI against the same server: the operator's identity (client.key/.crt) beside the pinned
      // TrustChain root and log key.
      String[] common = {"--node", "[::1]:" + port, "--identity", pki.toString(), "--server-name", "::1", "--timeout", "60"};
      var issue = cli(common, "ca", "issue", "--name", "n50.hypermesh.online", "--ip", "2001:db8::50", "--region", "eu-west",
          "--out", pki.resolve("out").toString());
      assertEquals(0, issue.code(), issue.toString());
      assertTrue(issue.out().contains("chain verified against the pinned root"), issue.out());
      assertTrue(issue.out().contains("log receipt verified with the pinned log key"), issue.out());
      String certFile = pki.resolve("out").resolve("n50.hypermesh.online.crt").toString();
      var proof = cli(common, "ct", "proof", "--cert", certFile);
      assertEquals(0, proof.code(), proof.toString());
      assertTrue(proof.out().contains("inclusion proof verified locally"), proof.out());
      var sth = cli(common, "ct", "sth", "--json");
      assertEquals(0, sth.code(), sth.toString());
      assertTrue(sth.out().contains("\"treeSize\" : 14"), sth.out());
      var consistency = cli(common, "ct", "consistency", "--from", "3", "--to", "14");
      assertEquals(0, consistency.code(), consistency.toString());
      assertTrue(consistency.out().contains("consistency proof verified locally"), consistency.out());
      var get = cli(common, "ct", "get", "--start", "13", "--end", "13");
      assertTrue(get.out().contains("CN=n50.hypermesh.online"), get.toString());
      var good = cli(common, "ca", "status", "--cert", certFile);
      assertTrue(good.out().contains(": good"), good.toString());
      String serial = good.out().substring(0, good.out().indexOf(':'));
      assertEquals(0, cli(common, "ca", "revoke", "--serial", serial, "--reason", "superseded").code());
      var revokedStatus = cli(common, "ca", "status", "--serial", serial, "--json");
      assertTrue(revokedStatus.out().contains("\"status\" : \"revoked\"") && revokedStatus.out().contains("superseded"),
          revokedStatus.toString());
      var bad = cli(common, "ca", "revoke", "--serial", serial, "--reason", "superseded");
      assertEquals(1, bad.code(), bad.toString());
      assertTrue(bad.err().contains("ALREADY_REVOKED"), bad.toString());
      var outOfRange = cli(common, "ct", "consistency", "--from", "9", "--to", "900");
      assertEquals(1, outOfRange.code(), outOfRange.toString());
    } finally {
      server.close();
    }
    try {
      TrustChainResponse.Status status = assertInstanceOf(TrustChainResponse.Status.class,
          restarted.ask(new TrustChainRequest.Status(revokedSerial.toString(16))));
      assertEquals(CertificateState.REVOKED, status.state());
      assertEquals(RevocationReason.KEY_COMPROMISE, status.reason());

      assertInstanceOf(TrustChainResponse.Issued.class,
          restarted.ask(new TrustChainRequest.Issue(csr("alice", TrustRole.USER), 0)));
      TrustChainResponse.ConsistencyProof consistency = assertInstanceOf(TrustChainResponse.ConsistencyProof.class,
          restarted.ask(new TrustChainRequest.Consistency(12, 0)));
      assertEquals(15, consistency.to().treeSize());
      assertArrayEquals(before.rootHash(), consistency.from().rootHash());
      assertTrue(MerkleProofVerifier.verifyConsistency(consistency.from(), consistency.to(), consistency.hashes()).isValid());
      TrustChainResponse.Entries entries = assertInstanceOf(TrustChainResponse.Entries.class,
          restarted.ask(new TrustChainRequest.GetEntries(0, 12)));
      assertEquals(13, entries.entries().size());
      assertEquals(TrustChainResponse.Reason.NOT_FOUND, assertInstanceOf(TrustChainResponse.Rejected.class,
          restarted.ask(new TrustChainRequest.ProofByCertificate(new byte[] {1, 2, 3}, 0))).reason());
      assertEquals(TrustChainResponse.Reason.NOT_FOUND, assertInstanceOf(TrustChainResponse.Rejected.class,
          restarted.ask(new TrustChainRequest.GetEntries(5, 40))).reason());

      // Renewal: a node renews itself (same key and names) while its certificate is good; the entity
      // refuses another key and a revoked current certificate.
      KeyPair nodeKey = Falcon.generateKeyPair();
      CertificateRequestSpec spec = new CertificateRequestSpec("n20", TrustRole.NODE, List.of("n20.hypermesh.online"),
          List.of(InetAddress.getByName("2001:db8::20")), "eu-west");
      X509Certificate first = parse(assertInstanceOf(TrustChainResponse.Issued.class, restarted.ask(
          new TrustChainRequest.Issue(SigningRequests.toDer(SigningRequests.create(nodeKey, spec)), 0))).certificateDer());
      TrustChainResponse.Issued renewed = assertInstanceOf(TrustChainResponse.Issued.class, restarted.ask(
          new TrustChainRequest.Renew(SigningRequests.toDer(SigningRequests.renewalOf(nodeKey.getPrivate(), first)),
              first.getEncoded(), 120)));
      X509Certificate second = parse(renewed.certificateDer());
      assertArrayEquals(first.getPublicKey().getEncoded(), second.getPublicKey().getEncoded());
      assertTrue(!first.getSerialNumber().equals(second.getSerialNumber()));
      assertEquals(120 + 60, Duration.between(second.getNotBefore().toInstant(), second.getNotAfter().toInstant()).toSeconds());
      assertTrue(renewed.receipt().verify(keys.logSigner().publicKey(), MerkleHashes.leafHash(renewed.certificateDer())).isValid());
      TrustChainResponse.Rejected otherKey = assertInstanceOf(TrustChainResponse.Rejected.class, restarted.ask(
          new TrustChainRequest.Renew(SigningRequests.toDer(SigningRequests.create(Falcon.generateKeyPair(), spec)),
              first.getEncoded(), 0)));
      assertTrue(otherKey.message().startsWith("KEY_MISMATCH"), otherKey.message());
      restarted.ask(new TrustChainRequest.Revoke(second.getSerialNumber().toString(16), "superseded"));
      TrustChainResponse.Rejected revokedCurrent = assertInstanceOf(TrustChainResponse.Rejected.class, restarted.ask(
          new TrustChainRequest.Renew(SigningRequests.toDer(SigningRequests.renewalOf(nodeKey.getPrivate(), second)),
              second.getEncoded(), 0)));
      assertTrue(revokedCurrent.message().startsWith("CURRENT_CERTIFICATE_REFUSED: REVOKED"), revokedCurrent.message());
    } finally {
      restarted.system().terminate();
      restarted.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
