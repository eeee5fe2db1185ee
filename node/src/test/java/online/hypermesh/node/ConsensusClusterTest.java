package online.hypermesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import online.hypermesh.node.local.LocalCluster;
import online.hypermesh.node.local.NodeSpec;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.chain.ChainClient;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.hypermesh.AssetClient;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.stoq.StoqException;
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
 * NKrypt consensus in real node processes: four validator JVMs on ::1 sharing one genesis, journals
 * in a real Cassandra, requests over STOQ. Blocks commit and agree across nodes; a transaction
 * the node proves is committed everywhere; a spoiled proof is rejected by name; a SIGKILLed
 * validator restarts from its journal, catches up, loses nothing and never double-votes; with 2 of
 * 4 down nothing commits, and commits resume when they return.
 */
@ExtendWith(CassandraExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsensusClusterTest {

  // Generous: on a loaded 2-core machine four node JVMs and Cassandra take minutes to be ready.
  private static final Duration READY = Duration.ofMinutes(6);
  private static final int NODES = 4;
  private static LocalCluster cluster;
  private static final List<String> committed = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startCluster() throws Exception {
    Path dir = CassandraExtension.newDataDir("consensus-it");
    cluster = new LocalCluster(dir, TestPorts.freeBase(NODES), List.of(CassandraExtension.endpoint().toString()));
    cluster.start(NODES);
    cluster.awaitReady(READY, line -> System.err.println("[consensus] " + line));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.stopAll(Duration.ofSeconds(20), line -> System.err.println("[consensus] " + line));
    }
  }

  @Test
  @Order(1)
  void fourValidatorsCommitBlocksAndAgreeOnThem() throws Exception {
    Map<Integer, ChainResponse.Head> heads = new HashMap<>();
    for (NodeSpec node : cluster.nodes()) {
      heads.put(node.index(), await(node, () -> head(node), h -> h.height() >= 3, Duration.ofSeconds(90),
          "height 3"));
    }
    long common = heads.values().stream().mapToLong(ChainResponse.Head::height).min().orElseThrow();
    String chainId = heads.get(1).chainId();
    String blockId = null;
    for (NodeSpec node : cluster.nodes()) {
      assertEquals(chainId, heads.get(node.index()).chainId(), "one chain");
      ChainResponse.Block block = assertInstanceOf(ChainResponse.Block.class,
          send(node, new ChainRequest.GetBlock(common)));
      if (blockId == null) {
        blockId = block.blockId();
      }
      assertEquals(blockId, block.blockId(), node.name() + " has another block at height " + common);
      assertTrue(block.signers().size() >= 3, "a commit certificate carries 2f+1 = 3 signatures: " + block.signers());
    }
    ChainResponse.Validators validators = assertInstanceOf(ChainResponse.Validators.class,
        send(cluster.node(1).orElseThrow(), new ChainRequest.Validators()));
    assertEquals(4, validators.validators().size());
    assertEquals(3, validators.quorum());
    assertEquals(List.of("node-1", "node-2", "node-3", "node-4"),
        validators.validators().stream().map(ChainResponse.ValidatorInfo::name).toList());
    // Prometheus sees the chain too.
    NodeSpec first = cluster.node(1).orElseThrow();
    String metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(first.managementUrl() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    java.util.regex.Matcher height = java.util.regex.Pattern.compile("(?m)^hypermesh_chain_height (\\S+)$").matcher(metrics);
    assertTrue(height.find(), "no hypermesh_chain_height in /metrics");
    assertTrue(Double.parseDouble(height.group(1)) >= 3, "hypermesh_chain_height " + height.group(1));
    assertTrue(metrics.contains("hypermesh_consensus_round "), "no round gauge");
    assertTrue(metrics.contains("hypermesh_chain_commit_latency_seconds"), "no latency histogram");
    ChainResponse.Rejected missing = assertInstanceOf(ChainResponse.Rejected.class,
        send(cluster.node(2).orElseThrow(), new ChainRequest.GetBlock(1_000_000)));
    assertEquals(ChainResponse.Reason.NOT_FOUND, missing.reason());
  }

  @Test
  @Order(2)
  void aProvedTransactionIsCommittedAndEveryNodeKnowsItsHeight() throws Exception {
    ChainResponse.TxStatus status = submit(cluster.node(2).orElseThrow(), "hello chain", "");
    assertEquals(ChainResponse.TxState.COMMITTED, status.state(), status.toString());
    committed.add(status.transactionId());
    for (NodeSpec node : cluster.nodes()) {
      ChainResponse.TxStatus seen = await(node, () -> (ChainResponse.TxStatus) send(node,
              new ChainRequest.TxStatus(status.transactionId())),
          s -> s.state() == ChainResponse.TxState.COMMITTED, Duration.ofSeconds(30), "the transaction committed");
      assertEquals(status.height(), seen.height(), node.name());
    }
  }

  @Test
  @Order(3)
  void aTransactionWithBadWorkIsRejectedNamingTheProof() throws Exception {
    NodeSpec node = cluster.node(1).orElseThrow();
    ChainResponse.TxStatus status = submit(node, "no work done", "WORK");
    assertEquals(ChainResponse.TxState.REJECTED, status.state(), status.toString());
    assertEquals("WORK", status.proof(), status.toString());
    ChainResponse.TxStatus later = (ChainResponse.TxStatus) send(node, new ChainRequest.TxStatus(status.transactionId()));
    assertEquals(ChainResponse.TxState.REJECTED, later.state());
    assertTrue(later.reason().startsWith("WORK: "), later.reason());
    ChainResponse.TxStatus stake = submit(node, "forged signature", "STAKE");
    assertEquals("STAKE", stake.proof(), stake.toString());
    String metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.managementUrl() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("hypermesh_chain_rejected_transactions_total{proof=\"WORK\"}"),
        "rejections by proof are not counted");
  }

  @Test
  @Order(4)
  void aKilledValidatorRestartsFromItsJournalCatchesUpAndLosesNothing() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Thread load = new Thread(() -> {
      int i = 0;
      while (running.get()) {
        NodeSpec node = cluster.node(1 + (i % 2)).orElseThrow();
        try {
          ChainResponse.TxStatus s = submit(node, "load " + i++, "");
          if (s.state() == ChainResponse.TxState.COMMITTED) {
            committed.add(s.transactionId());
          } else if (s.state() == ChainResponse.TxState.REJECTED) {
            failures.add(s.toString());
          }
        } catch (RuntimeException e) {
          // Timeouts while the cluster reconfigures are expected; the transaction may still commit.
        }
      }
    }, "consensus-load");
    load.start();
    try {
      awaitCommitted(5, Duration.ofSeconds(60));
      NodeSpec victim = cluster.node(3).orElseThrow();
      long before = head(victim).height();
      System.err.println("[consensus] SIGKILL " + victim.name() + " at height " + before);
      cluster.kill(3);
      int atKill = committed.size();
      awaitCommitted(atKill + 3, Duration.ofSeconds(60));
      cluster.startNode(3);
      cluster.awaitReady(READY, line -> System.err.println("[consensus] " + line));
      awaitCommitted(committed.size() + 3, Duration.ofSeconds(60));
    } finally {
      running.set(false);
      load.join(30_000);
    }
    assertTrue(failures.isEmpty(), "valid transactions were rejected: " + failures);
    NodeSpec restarted = cluster.node(3).orElseThrow();
    long target = head(cluster.node(1).orElseThrow()).height();
    await(restarted, () -> head(restarted), h -> h.height() >= target, Duration.ofSeconds(60), "catch up to " + target);
    List<String> ids = List.copyOf(committed);
    for (NodeSpec node : cluster.nodes()) {
      for (String id : ids) {
        ChainResponse.TxStatus s = await(node, () -> (ChainResponse.TxStatus) send(node, new ChainRequest.TxStatus(id)),
            x -> x.state() == ChainResponse.TxState.COMMITTED, Duration.ofSeconds(30), id + " committed");
        assertTrue(s.height() > 0);
      }
    }
    for (NodeSpec node : cluster.nodes()) {
      String log = Files.readString(node.logFile(), StandardCharsets.UTF_8);
      assertFalse(log.contains("detected equivocation"), node.name() + " saw a validator sign twice");
      assertFalse(log.contains("SAFETY FAULT"), node.name() + " saw conflicting commits");
    }
    // The restarted validator resumed from its journal: it recovered a last voted round > 0.
    String log = Files.readString(restarted.logFile(), StandardCharsets.UTF_8);
    assertTrue(log.matches("(?s).*validator 2 recovered at height [1-9]\\d*, last voted round [1-9].*"),
        "node-3 did not recover its validator state from the journal");
  }

  @Test
  @Order(5)
  void withTwoOfFourDownNothingCommitsAndProgressResumesWhenTheyReturn() throws Exception {
    cluster.kill(3);
    cluster.kill(4);
    NodeSpec survivor = cluster.node(1).orElseThrow();
    Thread.sleep(3000);
    long stalled = head(survivor).height();
    Thread.sleep(8000);
    assertEquals(stalled, head(survivor).height(), "a block committed with 2 of 4 validators");
    assertEquals(stalled, head(cluster.node(2).orElseThrow()).height());
    cluster.startNode(3);
    cluster.startNode(4);
    cluster.awaitReady(READY, line -> System.err.println("[consensus] " + line));
    await(survivor, () -> head(survivor), h -> h.height() > stalled + 2, Duration.ofSeconds(90), "progress");
    // A returned validator serves STOQ once it has caught up with its journal (start is slow on a busy machine).
    NodeSpec back = cluster.node(4).orElseThrow();
    ChainResponse.TxStatus status = await(back, () -> submit(back, "after the outage", ""),
        s -> s.state() == ChainResponse.TxState.COMMITTED, Duration.ofSeconds(180), "a commit of its own transaction");
    assertTrue(status.height() > stalled, status.toString());
  }

  @Test
  @Order(6)
  void theCliTransfersAndStakesCaesAndEveryNodeAgrees() throws Exception {
    NodeSpec node = cluster.node(1).orElseThrow();
    String[] common = {"--node", node.stoqEndpoint(), "--identity",
        cluster.clientIdentity().key().getParent().toString(), "--server-name", node.host(),
        "--timeout", "120", "--json"};
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    var before = json.readTree(cli(common, "caesar", "balance").out());
    String own = before.get("account").asText();
    // local-genesis.conf gives the CLI's account 1,000 CAES, which decays at 5% a year: well
    // under 0.1 CAES over this test's minutes.
    long genesisBalance = 100_000_000_000L;
    long balance = before.get("balanceUnits").asLong();
    assertTrue(balance <= genesisBalance && balance > genesisBalance - 10_000_000L, before.toString());
    long nonce = before.get("nonce").asLong();
    ChainResponse.Validators validators = assertInstanceOf(ChainResponse.Validators.class,
        send(node, new ChainRequest.Validators()));
    String node2 = validators.validators().get(1).account();

    Cli sent = cli(common, "caesar", "transfer", "--to", node2, "--amount", "12.5", "--memo", "first");
    assertEquals(0, sent.code(), sent.out() + sent.err());
    var transfer = json.readTree(sent.out());
    assertEquals("committed", transfer.get("state").asText());
    assertTrue(transfer.get("applied").asBoolean(), sent.out());

    Cli overdraft = cli(common, "caesar", "transfer", "--to", node2, "--amount", "5000");
    assertEquals(online.hypermesh.node.cli.HyperMeshCli.EXIT_REJECTED, overdraft.code(), overdraft.out() + overdraft.err());
    var refused = json.readTree(overdraft.out());
    assertEquals("committed", refused.get("state").asText(), overdraft.out());
    assertTrue(refused.get("failure").asText().startsWith("INSUFFICIENT_FUNDS: "), overdraft.out());

    Cli staked = cli(common, "caesar", "stake", "--amount", "1");
    assertEquals(0, staked.code(), staked.out() + staked.err());

    var after = json.readTree(cli(common, "caesar", "balance").out());
    assertEquals(nonce + 3, after.get("nonce").asLong(), after.toString());
    assertEquals("1", after.get("bonded").asText());
    long spent = balance - after.get("balanceUnits").asLong();
    assertTrue(spent >= 1_350_000_000L && spent < 1_350_000_000L + 10_000_000L,
        "12.5 CAES sent and 1 staked (and a little demurrage), not " + spent + " units");

    Cli supply = cli(common, "caesar", "supply");
    assertEquals(0, supply.code(), supply.out());
    assertTrue(json.readTree(supply.out()).get("conserved").asBoolean(), supply.out());
    var history = json.readTree(cli(common, "caesar", "history").out()).get("operations");
    assertEquals(3, history.size(), history.toString());
    assertEquals("first", history.get(0).get("memo").asText());
    assertFalse(history.get(1).get("applied").asBoolean());
    assertEquals("STAKE_BOND", history.get(2).get("kind").asText());

    // Every node applied the same operations.
    for (NodeSpec other : cluster.nodes()) {
      ChainResponse.CaesarAccount account = await(other, () -> (ChainResponse.CaesarAccount) send(
              other, new ChainRequest.CaesarAccount(own)), a -> a.nonce() == nonce + 3,
          Duration.ofSeconds(60), "the CLI's three operations");
      assertEquals(100_000_000L, account.bondedUnits(), other.name());
    }
  }

  private record Cli(int code, String out, String err) {
  }

  /** Runs the `hypermesh` command in this JVM, capturing what it prints. */
  private static synchronized Cli cli(String[] common, String... args) {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream outBytes = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(common));
    try {
      System.setOut(new java.io.PrintStream(outBytes, true));
      System.setErr(new java.io.PrintStream(errBytes, true));
      int code = online.hypermesh.node.cli.HyperMeshCli.run(all.toArray(String[]::new));
      return new Cli(code, outBytes.toString(), errBytes.toString());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /**
   * Asset registration through the chain: answered with the committing height and transaction,
   * readable through another node, a duplicate refused naming the first registration (also when
   * two nodes submit the same id at once, so both transactions commit and the chain's order
   * decides), and after a SIGKILL and restart (the keeper replays its journal and re-delivers every
   * registration) each asset's journal still holds exactly one event.
   */
  @Test
  @Order(7)
  void assetRegistrationGoesThroughTheChainAndIsAppliedOnce() throws Exception {
    String run = Long.toHexString(System.nanoTime());
    NodeSpec first = cluster.node(1).orElseThrow();
    NodeSpec second = cluster.node(2).orElseThrow();
    await(first, () -> head(first), h -> h.height() > 0, Duration.ofSeconds(60), "a live chain");

    String gpu = "chain-" + run + "-gpu";
    AssetResponse.Registered registered = assertInstanceOf(AssetResponse.Registered.class,
        register(first, new AssetRequest.Register(gpu, "gpu", 2, "user:alice", "p2p")));
    assertTrue(registered.height() > 0, registered.toString());
    assertEquals(64, registered.transactionId().length(), registered.toString());
    ChainResponse.TxStatus tx = (ChainResponse.TxStatus) send(cluster.node(3).orElseThrow(),
        new ChainRequest.TxStatus(registered.transactionId()));
    assertEquals(registered.height(), await(cluster.node(3).orElseThrow(), () -> (ChainResponse.TxStatus) send(
            cluster.node(3).orElseThrow(), new ChainRequest.TxStatus(registered.transactionId())),
        s -> s.state() == ChainResponse.TxState.COMMITTED, Duration.ofSeconds(30), "the registration committed").height(),
        "committed at the height the client was told: " + tx);
    AssetResponse.Found found = assertInstanceOf(AssetResponse.Found.class,
        assets(second, new AssetRequest.Get(gpu)));
    assertEquals(new AssetResponse.Found(registered.asset(), registered.height(), registered.transactionId()), found);

    AssetResponse.Rejected duplicate = assertInstanceOf(AssetResponse.Rejected.class,
        register(cluster.node(3).orElseThrow(), new AssetRequest.Register(gpu, "cpu", 1, "user:bob", "public")));
    assertEquals(AssetResponse.Reason.DUPLICATE, duplicate.reason());
    assertTrue(duplicate.message().contains(registered.transactionId()), duplicate.message());

    // Two nodes submit the same id at once: both pass their early check, both transactions commit,
    // and the chain's order refuses the later one on every node.
    String raced = "chain-" + run + "-race";
    java.util.concurrent.CompletableFuture<AssetResponse> viaFirst = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> register(first, new AssetRequest.Register(raced, "cpu", 1000, "user:alice", "network")));
    java.util.concurrent.CompletableFuture<AssetResponse> viaSecond = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> register(second, new AssetRequest.Register(raced, "memory", 2048, "user:bob", "private")));
    List<AssetResponse> answers = List.of(viaFirst.get(), viaSecond.get());
    List<AssetResponse.Registered> winners = answers.stream().filter(AssetResponse.Registered.class::isInstance)
        .map(AssetResponse.Registered.class::cast).toList();
    assertEquals(1, winners.size(), "exactly one registration wins: " + answers);
    AssetResponse.Rejected loser = answers.stream().filter(AssetResponse.Rejected.class::isInstance)
        .map(AssetResponse.Rejected.class::cast).findFirst().orElseThrow();
    assertEquals(AssetResponse.Reason.DUPLICATE, loser.reason(), loser.toString());
    assertTrue(loser.message().contains(winners.get(0).transactionId()), loser.message());
    for (NodeSpec node : cluster.nodes()) {
      assertEquals(winners.get(0).transactionId(), assertInstanceOf(AssetResponse.Found.class,
          assets(node, new AssetRequest.Get(raced))).transactionId(), node.name());
    }

    // SIGKILL a validator and restart it: its keeper replays the chain from its journal and its
    // applier delivers every registration again; the entities acknowledge without a second event.
    System.err.println("[consensus] SIGKILL " + second.name() + " before re-applying the chain");
    cluster.kill(2);
    cluster.startNode(2);
    cluster.awaitReady(READY, line -> System.err.println("[consensus] " + line));
    NodeSpec restarted = cluster.node(2).orElseThrow();
    long target = head(first).height();
    await(restarted, () -> head(restarted), h -> h.height() >= target, Duration.ofSeconds(90), "catch up to " + target);
    AssetResponse.Registered after = await(restarted, () -> (AssetResponse) register(restarted,
            new AssetRequest.Register("chain-" + run + "-after", "storage", 1L << 30, "user:alice", "public")),
        AssetResponse.Registered.class::isInstance, Duration.ofSeconds(60), "a registration after the restart")
        instanceof AssetResponse.Registered r ? r : null;
    assertTrue(after != null && after.height() > registered.height(), String.valueOf(after));
    assertEquals(found, assets(restarted, new AssetRequest.Get(gpu)));
    // The restarted keeper re-delivered (its log says so) and nothing was applied twice.
    Thread.sleep(3000);
    try (com.datastax.oss.driver.api.core.CqlSession cql = com.datastax.oss.driver.api.core.CqlSession.builder()
        .addContactPoint(new java.net.InetSocketAddress(CassandraExtension.endpoint().host(), CassandraExtension.endpoint().port()))
        .withLocalDatacenter(online.hypermesh.persistence.cassandra.CassandraLauncher.LOCAL_DATACENTER).build()) {
      for (String id : List.of(gpu, raced, "chain-" + run + "-after")) {
        long events = cql.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance(
            "SELECT COUNT(*) FROM hypermesh.messages WHERE persistence_id = ? AND partition_nr = 0", "Asset|" + id)
            .setTimeout(Duration.ofSeconds(30))).one().getLong(0);
        assertEquals(1, events, "journal events of asset " + id);
      }
    }
  }

  private static AssetResponse register(NodeSpec node, AssetRequest.Register request) {
    return assets(node, request);
  }

  private static AssetResponse assets(NodeSpec node, AssetRequest request) {
    StoqSettings settings = StoqSettings.defaults().withTimeouts(Duration.ofSeconds(15), Duration.ofSeconds(10));
    try (AssetClient client = AssetClient.connect(node.host(), node.ports().stoq(), settings, StoqTls.defaults(),
        identity(), node.host())) {
      return client.sendBlocking(request);
    }
  }

  private static void awaitCommitted(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (committed.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + committed.size() + " of " + count + " transactions committed in " + timeout);
      }
      Thread.sleep(200);
    }
  }

  private static ChainResponse.TxStatus submit(NodeSpec node, String payload, String breakProof) {
    ChainResponse reply = send(node, new ChainRequest.Submit(payload.getBytes(StandardCharsets.UTF_8), breakProof, 8000));
    return assertInstanceOf(ChainResponse.Submitted.class, reply, String.valueOf(reply)).status();
  }

  private static ChainResponse.Head head(NodeSpec node) {
    ChainResponse reply = send(node, new ChainRequest.Head());
    return assertInstanceOf(ChainResponse.Head.class, reply, String.valueOf(reply));
  }

  /** One request on a new connection; a failed handshake (a busy machine) is retried twice. */
  private static ChainResponse send(NodeSpec node, ChainRequest request) {
    StoqSettings settings = StoqSettings.defaults().withTimeouts(Duration.ofSeconds(15), Duration.ofSeconds(10));
    for (int attempt = 1; ; attempt++) {
      ChainClient client;
      try {
        client = ChainClient.connect(node.host(), node.ports().stoq(), settings, StoqTls.defaults(), identity(), node.host());
      } catch (StoqException e) {
        if (attempt == 3) {
          throw e;
        }
        continue;
      }
      try (client) {
        return client.sendBlocking(request);
      }
    }
  }

  private static StoqIdentity identity() {
    try {
      return cluster.clientIdentity().load(Set.of());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static <T> T await(NodeSpec node, Supplier<T> probe, java.util.function.Predicate<T> done, Duration timeout,
      String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (true) {
      try {
        last = probe.get();
        if (done.test(last)) {
          return last;
        }
      } catch (StoqException | ClassCastException e) {
        last = null;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(node.name() + " did not reach " + what + " in " + timeout + "; last: " + last);
      }
      Thread.sleep(500);
    }
  }
}
