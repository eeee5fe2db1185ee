package online.hypermesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import online.hypermesh.node.cli.HyperMeshCli;
import online.hypermesh.node.consensus.GenesisFile;
import online.hypermesh.node.cli.InProcessCli;
import online.hypermesh.node.local.LocalCluster;
import online.hypermesh.node.local.NodeSpec;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.ExecutionAttestation;
import online.hypermesh.protocol.caesar.InclusionProof;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.chain.ChainClient;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CAES bridge between two independent chains: two local clusters (A with three validator
 * nodes, B with two; each its own genesis, PKI, chain id and Cassandra keyspace), bridges
 * registered both ways by each chain's bridge admin, and the relayer's steps through the
 * `hypermesh` CLI: lock on A, proof from A, redeem on B, burn on B, proof from B, redeem on A.
 * Forged, altered, unattested and replayed proofs are refused by B with their reasons before
 * ordering, and nothing moves. Then A changes its validator set (node 3 retires), B's light client
 * follows the change through a relayed proof, and a lock certified by A's retired set is refused
 * as STALE_VALIDATOR_SET while one certified by the new set redeems.
 */
@ExtendWith(CassandraExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeClusterTest {

  private static final Duration READY = Duration.ofMinutes(6);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** 10 CAES. */
  private static final long AMOUNT = 1_000_000_000L;
  private static LocalCluster a;
  private static LocalCluster b;
  private static Path dir;
  private static Path lockProof;

  @BeforeAll
  static void startClusters() throws Exception {
    dir = CassandraExtension.newDataDir("bridge-it");
    List<String> cassandra = List.of(CassandraExtension.endpoint().toString());
    int baseA = TestPorts.freeBase(3);
    int baseB = TestPorts.freeBase(2);
    while (Math.abs(baseB - baseA) < 100) {
      baseB = TestPorts.freeBase(2);
    }
    a = new LocalCluster(dir.resolve("a"), baseA, cassandra).keyspace("bridge_a");
    b = new LocalCluster(dir.resolve("b"), baseB, cassandra).keyspace("bridge_b");
    a.start(3);
    b.start(2);
    a.awaitReady(READY, line -> System.err.println("[bridge a] " + line));
    b.awaitReady(READY, line -> System.err.println("[bridge b] " + line));
  }

  @AfterAll
  static void stopClusters() {
    for (LocalCluster c : new LocalCluster[] {a, b}) {
      if (c != null) {
        c.stopAll(Duration.ofSeconds(20), line -> System.err.println("[bridge] " + line));
      }
    }
  }

  @Test
  @Order(1)
  void eachChainsAdminRegistersTheOther() throws Exception {
    JsonNode none = json(cli(a, "caesar", "bridge", "status"));
    assertEquals(0, none.get("bridges").size(), none.toString());
    assertEquals(account(a), none.get("admin").asText(), "local chains make the CLI the admin");

    // Any other account is refused, before ordering.
    StoqIdentity stranger = a.pki().issueUser("bridge-stranger").load(Set.of());
    Genesis remote = GenesisFile.read(LocalCluster.genesisFile(dir.resolve("b")))
        .genesis(LocalCluster.genesisFile(dir.resolve("b")));
    CaesarTransaction op = new CaesarTransaction.Register(0, remote.chainId(), 0,
        remote.publicKeys());
    byte[] signed = CaesarCodec.encode(op, OwnerAuthorization.sign(
        Digest.of(HexFormat.of().parseHex(chainId(a))), op, stranger.falconKey(),
        stranger.chain()));
    ChainResponse.TxStatus refused = assertInstanceOf(ChainResponse.Submitted.class,
        send(a, new ChainRequest.CaesarSubmit(signed, 30_000), stranger)).status();
    assertEquals(ChainResponse.TxState.REJECTED, refused.state(), refused.toString());
    assertTrue(refused.reason().contains("NOT_BRIDGE_ADMIN"), refused.toString());

    register(a, b);
    register(b, a);
    JsonNode status = json(cli(b, "caesar", "bridge", "status"));
    assertEquals(1, status.get("bridges").size(), status.toString());
    assertEquals(chainId(a), status.get("bridges").get(0).get("remoteChain").asText());
    assertEquals(3, status.get("bridges").get(0).get("validators").asInt());

    InProcessCli.Result twice = cli(b, "caesar", "bridge", "register", "--genesis",
        LocalCluster.genesisFile(dir.resolve("a")).toString());
    assertEquals(HyperMeshCli.EXIT_REJECTED, twice.code(), twice.out() + twice.err());
    assertTrue(twice.out().contains("BRIDGE_EXISTS"), twice.out());
  }

  @Test
  @Order(2)
  void aLockOnAIsRedeemedOnBOnceAndOnlyAsSigned() throws Exception {
    long before = balance(b, account(b));
    InProcessCli.Result locked = cli(a, "caesar", "bridge", "lock", "--chain", chainId(b), "--to",
        account(b), "--amount", "10");
    assertEquals(0, locked.code(), locked.out() + locked.err());
    String lockTx = json(locked).get("id").asText();
    JsonNode supplyA = json(cli(a, "caesar", "supply"));
    assertTrue(supplyA.get("conserved").asBoolean(), supplyA.toString());

    lockProof = dir.resolve("lock.proof");
    JsonNode proof = json(cli(a, "caesar", "bridge", "proof", lockTx, "--out", lockProof.toString(),
        "--attester", a.node(2).orElseThrow().stoqEndpoint()));
    assertEquals("LOCK", proof.get("direction").asText(), proof.toString());
    assertEquals(account(b), proof.get("recipient").asText());
    assertEquals(2, proof.get("attestations").asInt(), "node 1 and node 2 of A attest");
    CaesarTransaction.Redeem honest = redeemIn(Files.readAllBytes(lockProof));

    // A relayer that redirects the claim, forges the lock, forges the certificate, or drops the
    // validators' attestation: each refused with its reason, and nothing is minted.
    Digest thief = Digest.of(Accounts.id(identity(a).chain().get(0).getPublicKey()));
    assertRefused(b, new CaesarTransaction.Redeem(honest.sourceChain(), thief, honest.amount(),
        honest.proof(), honest.attestations()), "MISMATCHED_LOCK");
    assertRefused(b, new CaesarTransaction.Redeem(honest.sourceChain(), honest.recipient(),
        honest.amount(), withBody(honest.proof()), honest.attestations()), "BAD_INCLUSION_PROOF");
    assertRefused(b, new CaesarTransaction.Redeem(honest.sourceChain(), honest.recipient(),
        honest.amount(), withForgedCertificate(honest.proof()), honest.attestations()),
        "FORGED_CERTIFICATE");
    assertRefused(b, new CaesarTransaction.Redeem(honest.sourceChain(), honest.recipient(),
        honest.amount(), honest.proof(), List.of()), "NOT_ATTESTED");
    ExecutionAttestation fake = ExecutionAttestation.sign(new FalconSigner(identity(b).falconKey()),
        0, honest.sourceChain(), honest.proof().transaction().id(),
        honest.proof().headers().get(0).height());
    assertRefused(b, new CaesarTransaction.Redeem(honest.sourceChain(), honest.recipient(),
        honest.amount(), honest.proof(), List.of(fake)), "NOT_ATTESTED");
    long unchanged = balance(b, account(b));
    assertTrue(unchanged <= before && unchanged > before - 1_000_000,
        "nothing minted by refused claims (the balance only decays): " + before + " -> " + unchanged);

    InProcessCli.Result redeemed = cli(b, "caesar", "bridge", "redeem", lockProof.toString());
    assertEquals(0, redeemed.code(), redeemed.out() + redeemed.err());
    assertTrue(json(redeemed).get("applied").asBoolean(), redeemed.out());
    long after = balance(b, account(b));
    assertTrue(after - before <= AMOUNT && after - before > AMOUNT - 1_000_000,
        "10 CAES minted (less a little demurrage on the whole balance): " + (after - before));

    InProcessCli.Result replayed = cli(b, "caesar", "bridge", "redeem", lockProof.toString());
    assertEquals(HyperMeshCli.EXIT_REJECTED, replayed.code(), replayed.out() + replayed.err());
    assertTrue(replayed.out().contains("REPLAYED_LOCK"), replayed.out());

    JsonNode supplyB = json(cli(b, "caesar", "supply"));
    assertTrue(supplyB.get("conserved").asBoolean(), supplyB.toString());
    JsonNode status = json(cli(b, "caesar", "bridge", "status")).get("bridges").get(0);
    assertEquals("10", status.get("minted").asText(), status.toString());
    assertEquals(1, status.get("redeemed").asInt());
  }

  @Test
  @Order(3)
  void aBurnOnBReleasesOnAAndTheRoundTripRestoresTheBalances() throws Exception {
    long lockedA = json(cli(a, "caesar", "bridge", "status")).get("bridges").get(0)
        .get("locked").asLong();
    assertEquals(10, lockedA);
    long beforeA = balance(a, account(a));
    InProcessCli.Result burned = cli(b, "caesar", "bridge", "burn", "--chain", chainId(a), "--to",
        account(a), "--amount", "10");
    assertEquals(0, burned.code(), burned.out() + burned.err());
    String burnTx = json(burned).get("id").asText();
    // B's proof of the lock is no use on A: a lock of A is not A's to redeem.
    InProcessCli.Result wrong = cli(a, "caesar", "bridge", "redeem", lockProof.toString());
    assertEquals(HyperMeshCli.EXIT_REJECTED, wrong.code(), wrong.out() + wrong.err());
    assertTrue(wrong.out().contains("NO_BRIDGE") || wrong.out().contains("WRONG_CHAIN"),
        wrong.out());

    // The relayer in one step: the proof from B's node 1 (with node 2's attestation), as B's
    // CLI identity, redeemed on A.
    InProcessCli.Result released = cli(a, "caesar", "bridge", "relay", burnTx, "--from",
        b.node(1).orElseThrow().stoqEndpoint(), "--from-identity",
        b.clientIdentity().key().getParent().toString(), "--attester",
        b.node(2).orElseThrow().stoqEndpoint());
    assertEquals(0, released.code(), released.out() + released.err());
    JsonNode relayed = json(released);
    assertEquals("BURN", relayed.get("proof").get("direction").asText(), released.out());
    assertEquals(2, relayed.get("proof").get("attestations").asInt(), released.out());
    assertTrue(relayed.get("applied").asBoolean(), released.out());
    long afterA = balance(a, account(a));
    assertTrue(afterA - beforeA <= AMOUNT && afterA - beforeA > AMOUNT - 1_000_000,
        "10 CAES released (less a little demurrage): " + (afterA - beforeA));

    for (LocalCluster c : new LocalCluster[] {a, b}) {
      JsonNode supply = json(cli(c, "caesar", "supply"));
      assertTrue(supply.get("conserved").asBoolean(), supply.toString());
      JsonNode bridge = json(cli(c, "caesar", "bridge", "status")).get("bridges").get(0);
      assertEquals("0", bridge.get("locked").asText(), bridge.toString());
      assertEquals("0", bridge.get("minted").asText(), bridge.toString());
    }
    // The genesis gave A's CLI 1,000 CAES; after the round trip it holds them less demurrage
    // (5% a year: well under 0.1 CAES over this test's minutes), nothing else.
    long genesis = 100_000_000_000L;
    assertTrue(afterA <= genesis && afterA > genesis - 10_000_000L, "A's account: " + afterA);
    long afterB = balance(b, account(b));
    assertTrue(afterB <= genesis && afterB > genesis - 10_000_000L, "B's account: " + afterB);
  }

  @Test
  @Order(4)
  void aProofCertifiedByTheRetiredSetIsStaleOnceBFollowsA() throws Exception {
    // A's three validators sign the change to nodes 1-2 (n = 3 needs all three), offline.
    Path change = dir.resolve("epoch-1.properties");
    InProcessCli.Result proposed = cli(a, "chain", "epoch", "propose", "--drop", "node-3",
        "--out", change.toString());
    assertEquals(0, proposed.code(), proposed.out() + proposed.err());
    Path pki = LocalCluster.pkiDir(dir.resolve("a"));
    InProcessCli.Result early = cli(a, "chain", "epoch", "submit", change.toString());
    assertEquals(2, early.code(), early.out() + early.err());
    assertTrue(early.err().contains("needs a quorum of 3"), early.err());
    for (int n = 1; n <= 3; n++) {
      var files = online.hypermesh.node.local.DevPki.nodeFiles(pki, "node-" + n);
      InProcessCli.Result signed = InProcessCli.run(new String[] {"--json"}, "chain", "epoch",
          "sign", change.toString(), "--key", files.key().toString(), "--cert",
          files.chain().toString());
      assertEquals(0, signed.code(), signed.out() + signed.err());
    }
    InProcessCli.Result submitted = cli(a, "chain", "epoch", "submit", change.toString(),
        "--wait", "30");
    assertEquals(0, submitted.code(), submitted.out() + submitted.err());
    awaitEpoch(a, 1);
    JsonNode epoch = json(cli(a, "chain", "epoch", "show"));
    assertEquals(2, epoch.get("members").size(), epoch.toString());
    assertEquals(2, epoch.get("quorum").asInt());
    assertEquals(2, json(cli(a, "chain", "validators")).get("quorum").asInt(),
        "chain validators reports the quorum in force");
    // The chain goes on under the new set.
    JsonNode supplyA = json(cli(a, "caesar", "supply"));
    assertTrue(supplyA.get("conserved").asBoolean(), supplyA.toString());

    // A lock made in epoch 1, proven by A's new set.
    InProcessCli.Result locked = cli(a, "caesar", "bridge", "lock", "--chain", chainId(b), "--to",
        account(b), "--amount", "10");
    assertEquals(0, locked.code(), locked.out() + locked.err());
    Path proofFile = dir.resolve("lock-epoch-1.proof");
    InProcessCli.Result proven = cli(a, "caesar", "bridge", "proof",
        json(locked).get("id").asText(), "--out", proofFile.toString(), "--attester",
        a.node(2).orElseThrow().stoqEndpoint());
    assertEquals(0, proven.code(), proven.out() + proven.err());
    CaesarTransaction.Redeem honest = redeemIn(Files.readAllBytes(proofFile));

    // Until B follows A's change, the new set's certificate means nothing to B.
    assertRefused(b, honest, "FORGED_CERTIFICATE");

    InProcessCli.Result followed = cli(b, "caesar", "bridge", "follow", "--from",
        a.node(1).orElseThrow().stoqEndpoint(), "--from-identity",
        a.clientIdentity().key().getParent().toString());
    assertEquals(0, followed.code(), followed.out() + followed.err());

    // The retired set (all three of epoch 0's keys) certifies the same block: stale.
    CommitCertificate real = honest.proof().certificate();
    java.util.TreeMap<Integer, byte[]> old = new java.util.TreeMap<>();
    Digest chainA = Digest.of(HexFormat.of().parseHex(chainId(a)));
    for (int n = 1; n <= 3; n++) {
      StoqIdentity validator = online.hypermesh.node.local.DevPki.nodeFiles(pki, "node-" + n)
          .load(Set.of());
      old.put(n - 1, online.hypermesh.protocol.consensus.bft.Vote.sign(real.qc().data(), n - 1,
          new FalconSigner(validator.falconKey()), chainA).signature());
    }
    InclusionProof stale = new InclusionProof(honest.proof().headers(),
        new CommitCertificate(new QuorumCert(real.qc().data(), old)),
        honest.proof().transaction(), honest.proof().index(), honest.proof().path());
    long before = balance(b, account(b));
    assertRefused(b, new CaesarTransaction.Redeem(honest.sourceChain(), honest.recipient(),
        honest.amount(), stale, honest.attestations()), "STALE_VALIDATOR_SET");

    InProcessCli.Result redeemed = cli(b, "caesar", "bridge", "redeem", proofFile.toString());
    assertEquals(0, redeemed.code(), redeemed.out() + redeemed.err());
    assertTrue(json(redeemed).get("applied").asBoolean(), redeemed.out());
    long after = balance(b, account(b));
    assertTrue(after - before <= AMOUNT && after - before > AMOUNT - 1_000_000,
        "10 CAES minted from the new set's proof: " + (after - before));
    for (LocalCluster c : new LocalCluster[] {a, b}) {
      JsonNode supply = json(cli(c, "caesar", "supply"));
      assertTrue(supply.get("conserved").asBoolean(), supply.toString());
    }

    // The retired validator's node refuses chain requests with the reason: its chain stopped at
    // the change, and it orders nothing.
    InProcessCli.Result retired = InProcessCli.run(common(a.node(3).orElseThrow(), a), "caesar",
        "transfer", "--to", account(b), "--amount", "1");
    assertEquals(HyperMeshCli.EXIT_REJECTED, retired.code(), retired.out() + retired.err());
    assertTrue(retired.err().contains("not a validator of epoch 1"), retired.err());
    assertTrue(retired.err().contains("[node-1, node-2]"), retired.err());

    // SIGKILLed and restarted, node 2 recovers into epoch 1 from its Cassandra journal: with
    // n = 2 the chain commits only with its vote.
    a.kill(2);
    a.startNode(2);
    a.awaitReady(READY, line -> System.err.println("[bridge a] " + line));
    JsonNode recovered = json(InProcessCli.run(common(a.node(2).orElseThrow(), a), "chain",
        "epoch", "show"));
    assertEquals(1, recovered.get("epoch").asLong(), recovered.toString());
    InProcessCli.Result transfer = cli(a, "caesar", "transfer", "--to", account(b), "--amount",
        "1", "--wait", "30");
    assertEquals(0, transfer.code(), transfer.out() + transfer.err());
    String id = json(transfer).get("id").asText();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String state = json(transfer).get("state").asText();
    while (!state.equals("committed") && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      state = json(cli(a, "chain", "tx", id)).get("state").asText();
    }
    assertEquals("committed", state, "a transfer after node 2's restart");
  }

  private static void awaitEpoch(LocalCluster c, long epoch) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode shown = json(cli(c, "chain", "epoch", "show"));
      if (shown.get("epoch").asLong() >= epoch) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "chain still in epoch " + shown);
      Thread.sleep(500);
    }
  }

  private static void register(LocalCluster on, LocalCluster remote) throws Exception {
    InProcessCli.Result r = cli(on, "caesar", "bridge", "register", "--genesis",
        LocalCluster.genesisFile(remote == a ? dir.resolve("a") : dir.resolve("b")).toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(json(r).get("applied").asBoolean(), r.out());
  }

  private static void assertRefused(LocalCluster on, CaesarTransaction.Redeem claim,
      String reason) {
    ChainResponse reply = send(on, new ChainRequest.CaesarSubmit(CaesarCodec.encode(claim),
        30_000));
    ChainResponse.TxStatus s = assertInstanceOf(ChainResponse.Submitted.class, reply,
        String.valueOf(reply)).status();
    assertEquals(ChainResponse.TxState.REJECTED, s.state(), s.toString());
    assertTrue(s.reason().contains(reason), reason + " expected: " + s);
  }

  private static InclusionProof withBody(InclusionProof p) {
    byte[] body = p.transaction().body().clone();
    body[body.length / 2] ^= 0x01;
    return new InclusionProof(p.headers(), p.certificate(),
        new Transaction(p.transaction().id(), body), p.index(), p.path());
  }

  private static InclusionProof withForgedCertificate(InclusionProof p) {
    QuorumCert qc = p.certificate().qc();
    java.util.TreeMap<Integer, byte[]> signatures = new java.util.TreeMap<>();
    qc.signatures().forEach((i, sig) -> {
      byte[] forged = sig.clone();
      forged[forged.length / 2] ^= 0x01;
      signatures.put(i, forged);
    });
    return new InclusionProof(p.headers(), new CommitCertificate(new QuorumCert(qc.data(),
        signatures)), p.transaction(), p.index(), p.path());
  }

  private static CaesarTransaction.Redeem redeemIn(byte[] payload) {
    CaesarCodec.Valid v = assertInstanceOf(CaesarCodec.Valid.class, CaesarCodec.decode(payload));
    return assertInstanceOf(CaesarTransaction.Redeem.class, v.transaction());
  }

  private static long balance(LocalCluster c, String account) throws Exception {
    return json(cli(c, "caesar", "balance", account)).get("balanceUnits").asLong();
  }

  private static String account(LocalCluster c) throws Exception {
    return HexFormat.of().formatHex(Accounts.id(identity(c).chain().get(0).getPublicKey()));
  }

  private static String chainId(LocalCluster c) throws Exception {
    return json(cli(c, "caesar", "supply")).get("chainId").asText();
  }

  private static StoqIdentity identity(LocalCluster c) {
    try {
      return c.clientIdentity().load(Set.of());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String[] common(NodeSpec node, LocalCluster identityOf) {
    try {
      return new String[] {"--node", node.stoqEndpoint(), "--identity",
          identityOf.clientIdentity().key().getParent().toString(), "--server-name", node.host(),
          "--timeout", "60", "--json"};
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static InProcessCli.Result cli(LocalCluster c, String... args) {
    return InProcessCli.run(common(c.node(1).orElseThrow(), c), args);
  }

  private static JsonNode json(InProcessCli.Result r) throws Exception {
    assertTrue(r.code() == 0 || r.code() == HyperMeshCli.EXIT_REJECTED, r.out() + r.err());
    return JSON.readTree(r.out());
  }

  private static ChainResponse send(LocalCluster c, ChainRequest request) {
    return send(c, request, identity(c));
  }

  private static ChainResponse send(LocalCluster c, ChainRequest request, StoqIdentity who) {
    NodeSpec node = c.node(1).orElseThrow();
    StoqSettings settings = StoqSettings.defaults().withTimeouts(Duration.ofSeconds(60),
        Duration.ofSeconds(10));
    try (ChainClient client = ChainClient.connect(node.host(), node.ports().stoq(), settings,
        StoqTls.defaults(), who, node.host())) {
      return client.sendBlocking(request);
    }
  }
}
