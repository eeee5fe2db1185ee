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
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
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
  private static Path dataDir;
  private static final List<String> committed = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startCluster() throws Exception {
    Path dir = CassandraExtension.newDataDir("consensus-it");
    dataDir = dir;
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
    assertTrue(log.matches("(?s).*validator 2 of epoch 0 recovered at height [1-9]\\d*, last voted round [1-9].*"),
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

    var sent = cli(common, "caesar", "transfer", "--to", node2, "--amount", "12.5", "--memo", "first");
    assertEquals(0, sent.code(), sent.out() + sent.err());
    var transfer = json.readTree(sent.out());
    assertEquals("committed", transfer.get("state").asText());
    assertTrue(transfer.get("applied").asBoolean(), sent.out());

    var overdraft = cli(common, "caesar", "transfer", "--to", node2, "--amount", "5000");
    assertEquals(online.hypermesh.node.cli.HyperMeshCli.EXIT_REJECTED, overdraft.code(), overdraft.out() + overdraft.err());
    var refused = json.readTree(overdraft.out());
    assertEquals("committed", refused.get("state").asText(), overdraft.out());
    assertTrue(refused.get("failure").asText().startsWith("INSUFFICIENT_FUNDS: "), overdraft.out());

    var staked = cli(common, "caesar", "stake", "--amount", "1");
    assertEquals(0, staked.code(), staked.out() + staked.err());

    var after = json.readTree(cli(common, "caesar", "balance").out());
    assertEquals(nonce + 3, after.get("nonce").asLong(), after.toString());
    assertEquals("1", after.get("bonded").asText());
    long spent = balance - after.get("balanceUnits").asLong();
    assertTrue(spent >= 1_350_000_000L && spent < 1_350_000_000L + 10_000_000L,
        "12.5 CAES sent and 1 staked (and a little demurrage), not " + spent + " units");

    var supply = cli(common, "caesar", "supply");
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

  /**
   * Node 4 is down while the others commit and then change the set to nodes 1, 2 and 4 (node 3
   * retires). The new set needs all three, so nothing commits until node 4, restarted in epoch 0
   * far below the change, is caught up from the others' Cassandra journals and takes the ending.
   */
  @Test
  @Order(9)
  void aValidatorDownDuringASetChangeCatchesUpFromThePeersJournals() throws Exception {
    NodeSpec node1 = cluster.node(1).orElseThrow();
    String[] common = {"--node", node1.stoqEndpoint(), "--identity",
        cluster.clientIdentity().key().getParent().toString(), "--server-name", node1.host(),
        "--timeout", "60", "--json"};
    cluster.kill(4);
    long before = head(node1).height();
    for (int k = 0; k < 8; k++) {
      String payload = "while node 4 is down " + k;
      await(node1, () -> submit(node1, payload, ""),
          x -> x.state() == ChainResponse.TxState.COMMITTED, Duration.ofSeconds(60), payload);
    }
    assertTrue(head(node1).height() > before + 8, "blocks committed without node 4");

    Path change = dataDir.resolve("epoch-1.properties");
    var proposed = cli(common, "chain", "epoch", "propose", "--drop", "node-3", "--out",
        change.toString());
    assertEquals(0, proposed.code(), proposed.out() + proposed.err());
    for (int n = 1; n <= 3; n++) {
      var files = online.hypermesh.node.local.DevPki.nodeFiles(LocalCluster.pkiDir(dataDir),
          "node-" + n);
      var signed = online.hypermesh.node.cli.InProcessCli.run(new String[0], "chain", "epoch",
          "sign", change.toString(), "--key", files.key().toString(), "--cert",
          files.chain().toString());
      assertEquals(0, signed.code(), signed.out() + signed.err());
    }
    var submitted = cli(common, "chain", "epoch", "submit", change.toString(), "--wait", "30");
    assertEquals(0, submitted.code(), submitted.out() + submitted.err());
    await(node1, () -> epochOf(common), e -> e == 1, Duration.ofSeconds(60), "epoch 1 on node 1");
    long base = head(node1).height();

    cluster.startNode(4);
    cluster.awaitReady(READY, line -> System.err.println("[consensus] " + line));
    NodeSpec node4 = cluster.node(4).orElseThrow();
    String[] at4 = common.clone();
    at4[1] = node4.stoqEndpoint();
    await(node4, () -> epochOf(at4), e -> e == 1, Duration.ofSeconds(120), "node 4 in epoch 1");
    // Epoch 1 commits only with node 4's vote.
    ChainResponse.TxStatus after = await(node1, () -> submit(node1, "epoch 1 with node 4", ""),
        x -> x.state() == ChainResponse.TxState.COMMITTED, Duration.ofSeconds(120),
        "a commit in epoch 1");
    assertTrue(after.height() > base, after.toString());
    String log = Files.readString(node4.logFile(), StandardCharsets.UTF_8);
    java.util.regex.Matcher took = java.util.regex.Pattern.compile(
        "takes epoch 0's ending from a peer: (\\d+) blocks").matcher(log);
    assertTrue(took.find(), "node 4 took no ending");
    // Node 4 missed the eight commits above and the change; an ending alone holds the change and
    // the four blocks below it (and any empty blocks up to the base): the rest came from a
    // peer's journal.
    assertTrue(Integer.parseInt(took.group(1)) >= 9, "node 4 took only " + took.group(1)
        + " blocks");
  }

  /** The epoch `chain epoch show` reports, or -1 while the node does not answer it. */
  private static long epochOf(String[] common) {
    var shown = cli(common, "chain", "epoch", "show");
    try {
      var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(shown.out());
      return shown.code() == 0 && tree.has("epoch") ? tree.get("epoch").asLong() : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private static online.hypermesh.node.cli.InProcessCli.Result cli(String[] common, String... args) {
    return online.hypermesh.node.cli.InProcessCli.run(common, args);
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
        register(first, new AssetRequest.Register(gpu, "gpu", 2, "user:chain-alice", "p2p")));
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
        register(cluster.node(3).orElseThrow(), new AssetRequest.Register(gpu, "cpu", 1, "user:chain-bob", "public")));
    assertEquals(AssetResponse.Reason.DUPLICATE, duplicate.reason());
    assertTrue(duplicate.message().contains(registered.transactionId()), duplicate.message());

    // Two nodes submit the same id at once: both pass their early check, both transactions commit,
    // and the chain's order refuses the later one on every node.
    String raced = "chain-" + run + "-race";
    java.util.concurrent.CompletableFuture<AssetResponse> viaFirst = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> register(first, new AssetRequest.Register(raced, "cpu", 1000, "user:chain-alice", "network")));
    java.util.concurrent.CompletableFuture<AssetResponse> viaSecond = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> register(second, new AssetRequest.Register(raced, "memory", 2048, "user:chain-bob", "private")));
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
            new AssetRequest.Register("chain-" + run + "-after", "storage", 1L << 30, "user:chain-alice", "public")),
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

  /**
   * Issue 6's acceptance: three client accounts (their own user certificates, funded from the CLI's
   * genesis account) transfer CAES to each other at once through nodes 1, 2 and 4 while node-3 is
   * SIGKILLed and restarted. A client whose answer does not come (a timeout) resubmits the same
   * signed operation, so a retry reuses the nonce and can only be refused, never applied again.
   * (Node-2's client meets this for real: while node-3 is down nothing node-2 pools commits, see
   * below, and the node's STOQ request timeout, 10 s, ends each 20 s wait first.)
   *
   * <p>Exactness, on every node: every acknowledged transfer is in the ledger's history exactly
   * once as applied (by transaction id); no memo (one per signed operation) was applied twice; an
   * account's applied operations are exactly its nonce count; the histories and nonces of the
   * clients are identical on all nodes; each client balance equals its funding plus applied
   * receipts minus applied sends less demurrage (5% a year: a few units over these minutes, bounded
   * from the elapsed time, since reads apply it as of the reading node's clock); the clients' total
   * is their funding less that demurrage (transfers among them create and destroy nothing); and
   * {@code caesar supply} holds the conservation law on every node, with one genesis supply.
   */
  @Test
  @Order(8)
  void concurrentCaesarTransfersSurviveAKilledValidatorAndApplyExactlyOnce() throws Exception {
    final int clients = 3;
    final int perClient = 20;
    final long funding = 20 * ChainResponse.UNITS_PER_CAES;
    final int[] boundTo = {1, 2, 4};
    final int victim = 3;
    String run = Long.toHexString(System.nanoTime());
    NodeSpec first = cluster.node(1).orElseThrow();
    await(first, () -> head(first), h -> h.height() > 0, Duration.ofSeconds(90), "a live chain");

    List<StoqIdentity> owners = new ArrayList<>();
    List<String> accounts = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      StoqIdentity owner = cluster.pki().issueUser("caes-" + run + "-" + c).load(Set.of());
      owners.add(owner);
      accounts.add(accountOf(owner));
    }
    // Fund them from the CLI's account, one committed transfer each.
    StoqIdentity cli = identity();
    ChainResponse.CaesarAccount cliAccount = account(first, cli, accountOf(cli));
    String chainId = cliAccount.chainId();
    long cliNonce = cliAccount.nonce();
    for (int c = 0; c < clients; c++) {
      byte[] payload = caesarPayload(chainId, cli,
          new CaesarTransaction.Transfer(cliNonce++, digest(accounts.get(c)), funding, "fund " + c));
      Outcome funded = caesarSubmit(first, cli, payload, 60_000, "fund " + c, funding);
      assertTrue(funded.applied(), "funding " + c + ": " + funded);
    }
    long fundedAtMillis = System.currentTimeMillis();
    for (int c = 0; c < clients; c++) {
      int index = c;
      await(first, () -> account(first, owners.get(index), accounts.get(index)), a -> a.balanceUnits() > 0,
          Duration.ofSeconds(60), "client " + c + " funded");
    }
    System.err.println("[consensus] caesar: " + clients + " clients funded, starting transfers");

    List<Outcome> acknowledged = Collections.synchronizedList(new ArrayList<>());
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int index = c;
      Thread t = new Thread(() -> {
        NodeSpec node = cluster.node(boundTo[index]).orElseThrow();
        StoqIdentity owner = owners.get(index);
        try {
          long nonce = account(node, owner, accounts.get(index)).nonce();
          java.util.Random random = new java.util.Random(index);
          for (int i = 0; i < perClient; i++, nonce++) {
            String to = accounts.get((index + 1 + random.nextInt(clients - 1)) % clients);
            long amount = 1_000_000L + random.nextInt(9_000_000);
            String memo = "c" + index + "-" + i;
            byte[] payload = caesarPayload(chainId, owner, new CaesarTransaction.Transfer(nonce, digest(to), amount, memo));
            Outcome answer = null;
            // While node-3 is down its rounds time out, so a commit can take longer than the node
            // waits (it then answers PENDING): retry the same signed operation for as long as that
            // may take on a loaded machine. (Before validators shared their pools, node-2's client
            // waited here for node-3's return: node-2's blocks needed node-3 to collect the votes.)
            long giveUp = System.nanoTime() + READY.plusMinutes(2).toNanos();
            for (int attempt = 1; answer == null; attempt++) {
              boolean late = System.nanoTime() > giveUp;
              try {
                answer = caesarSubmit(node, owner, payload, 20_000, memo, amount);
              } catch (RuntimeException e) {
                unanswered.incrementAndGet();
                System.err.println("[consensus] caesar " + memo + " attempt " + attempt + " unanswered: " + e);
                if (late) {
                  failures.add(memo + " never answered: " + e);
                  return;
                }
              }
              if (answer != null && answer.state() != ChainResponse.TxState.COMMITTED) {
                // PENDING when the wait ran out: the same signed operation again.
                if (answer.state() == ChainResponse.TxState.PENDING) {
                  unanswered.incrementAndGet();
                  if (late) {
                    failures.add(memo + " still pending: " + answer);
                    return;
                  }
                  answer = null;
                } else if (!answer.reason().contains("BAD_NONCE")) {
                  failures.add(memo + " refused: " + answer);
                  return;
                }
              }
            }
            acknowledged.add(answer);
          }
        } catch (RuntimeException e) {
          failures.add("client " + index + ": " + e);
        }
      }, "caesar-client-" + c);
      threads.add(t);
      t.start();
    }
    long startedNanos = System.nanoTime();
    awaitSize(acknowledged, 8, Duration.ofSeconds(120), failures);
    System.err.println("[consensus] caesar: SIGKILL node-" + victim + " after " + acknowledged.size() + " transfers");
    cluster.kill(victim);
    int atKill = acknowledged.size();
    awaitSize(acknowledged, Math.min(atKill + 8, clients * perClient), Duration.ofSeconds(120), failures);
    cluster.startNode(victim);
    cluster.awaitReady(READY, line -> System.err.println("[consensus] " + line));
    System.err.println("[consensus] caesar: node-" + victim + " back after " + acknowledged.size() + " transfers");
    for (Thread t : threads) {
      t.join(Duration.ofMinutes(5).toMillis());
      assertFalse(t.isAlive(), t.getName() + " still running");
    }
    System.err.println("[consensus] caesar: " + acknowledged.size() + " transfers acknowledged, " + unanswered.get()
        + " unanswered attempts, in " + (System.nanoTime() - startedNanos) / 1_000_000 + " ms");
    assertTrue(failures.isEmpty(), failures.toString());
    assertEquals(clients * perClient, acknowledged.size());
    NodeSpec restarted = cluster.node(victim).orElseThrow();
    long target = head(first).height();
    await(restarted, () -> head(restarted), h -> h.height() >= target, Duration.ofSeconds(120), "catch up to " + target);

    Map<String, Outcome> byMemo = new HashMap<>();
    for (Outcome o : acknowledged) {
      assertTrue(byMemo.put(o.memo(), o) == null, "one acknowledgement per operation: " + o);
    }
    // Reads apply demurrage up to the reading node's clock: bounded by the time since funding.
    double ratePerMilli = 0.05 / (365.25 * 24 * 3600 * 1000);
    Map<String, List<ChainResponse.CaesarEntry>> reference = new HashMap<>();
    for (NodeSpec node : cluster.nodes()) {
      long total = 0;
      for (int c = 0; c < clients; c++) {
        String account = accounts.get(c);
        int index = c;
        // Wait until this node has applied everything the others did (the restarted one may trail).
        ChainResponse.CaesarAccount a = await(node, () -> account(node, owners.get(index), account),
            x -> x.nonce() >= perClient, Duration.ofSeconds(60), account + " at nonce " + perClient);
        List<ChainResponse.CaesarEntry> history = assertInstanceOf(ChainResponse.CaesarHistory.class,
            send(node, new ChainRequest.CaesarHistory(account))).entries();
        List<ChainResponse.CaesarEntry> previous = reference.putIfAbsent(account, history);
        if (previous != null) {
          assertEquals(previous, history, node.name() + " has another history of " + account);
        }
        long expected = 0;
        int ownApplied = 0;
        int replays = 0;
        Set<String> appliedMemos = new java.util.HashSet<>();
        Set<String> appliedIds = new java.util.HashSet<>();
        for (ChainResponse.CaesarEntry e : history) {
          if (!e.failure().isEmpty()) {
            assertTrue(e.failure().contains("NONCE"), "only a replayed nonce is refused: " + e);
            replays++;
            continue;
          }
          assertEquals("TOKEN_TRANSFER", e.kind(), e.toString());
          assertTrue(appliedIds.add(e.transactionId()), "applied twice: " + e);
          if (e.owner().equals(account)) {
            ownApplied++;
            assertTrue(appliedMemos.add(e.memo()), "one signed operation applied twice: " + e);
            assertTrue(e.memo().startsWith("c" + c + "-"), "an operation this client never signed: " + e);
            expected -= e.amountUnits();
          }
          if (e.counterparty().equals(account)) {
            expected += e.amountUnits();
          }
        }
        assertEquals(a.nonce(), ownApplied, node.name() + ": " + account + " applied operations vs nonce");
        assertEquals(perClient, ownApplied, node.name() + ": " + account);
        for (int i = 0; i < perClient; i++) {
          Outcome o = byMemo.get("c" + c + "-" + i);
          ChainResponse.CaesarEntry applied = history.stream().filter(e -> e.failure().isEmpty()
              && e.memo().equals(o.memo())).findFirst().orElseThrow(() -> new AssertionError(o + " not applied"));
          if (o.applied()) {
            assertEquals(o.transactionId(), applied.transactionId(), "acknowledged " + o);
            assertEquals(o.height(), applied.height(), "acknowledged " + o);
          }
          assertEquals(o.amount(), applied.amountUnits(), o.toString());
        }
        // Funding is the first receipt (history holds the last 100; ours are fewer).
        assertTrue(history.size() < 100, "history truncated: " + history.size());
        assertTrue(history.get(0).memo().startsWith("fund "), history.get(0).toString());
        long elapsed = a.asOfMillis() - fundedAtMillis + 60_000;
        long demurrage = (long) Math.ceil((funding + 2 * perClient * 10_000_000L) * ratePerMilli * elapsed) + history.size();
        assertTrue(a.balanceUnits() <= expected && a.balanceUnits() >= expected - demurrage,
            node.name() + ": " + account + " holds " + a.balanceUnits() + ", expected " + expected + " less at most "
                + demurrage + " units of demurrage");
        total += a.balanceUnits();
        if (replays > 0) {
          System.err.println("[consensus] caesar: " + node.name() + " refused " + replays
              + " committed replays of an operation on " + account);
        }
      }
      long funded = clients * funding;
      long decay = (long) Math.ceil(funded * ratePerMilli * (System.currentTimeMillis() - fundedAtMillis + 60_000)) + 1000;
      assertTrue(total <= funded && total >= funded - decay,
          node.name() + ": the clients hold " + total + " of the " + funded + " units they were given (decay " + decay + ")");
      ChainResponse.CaesarSupply supply = assertInstanceOf(ChainResponse.CaesarSupply.class,
          send(node, new ChainRequest.CaesarSupply()));
      assertTrue(supply.holds(), node.name() + ": " + supply);
      assertEquals(supply.genesisUnits() + supply.bridgedInUnits(), supply.balancesUnits() + supply.rewardPoolUnits()
          + supply.bondedUnits() + supply.unbondingUnits() + supply.bridgedOutUnits(), node.name() + ": " + supply);
      ChainResponse.CaesarSupply firstSupply = assertInstanceOf(ChainResponse.CaesarSupply.class,
          send(first, new ChainRequest.CaesarSupply()));
      assertEquals(firstSupply.genesisUnits(), supply.genesisUnits(), node.name());
      assertEquals(firstSupply.chainId(), supply.chainId(), node.name());
    }
    for (NodeSpec node : cluster.nodes()) {
      String log = Files.readString(node.logFile(), StandardCharsets.UTF_8);
      assertFalse(log.contains("SAFETY FAULT"), node.name() + " saw conflicting commits");
    }
  }

  /** An answered CAES submission; {@code applied} when committed and the ledger applied it. */
  private record Outcome(String memo, long amount, String transactionId, ChainResponse.TxState state, long height,
      String reason) {
    boolean applied() {
      return state == ChainResponse.TxState.COMMITTED && reason.isEmpty();
    }
  }

  private static void awaitSize(List<?> list, int size, Duration timeout, List<String> failures)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (list.size() < size) {
      if (!failures.isEmpty()) {
        throw new AssertionError(failures.toString());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + list.size() + " of " + size + " transfers acknowledged in " + timeout);
      }
      Thread.sleep(200);
    }
  }

  private static String accountOf(StoqIdentity identity) {
    return java.util.HexFormat.of().formatHex(
        online.hypermesh.protocol.consensus.proof.Accounts.id(identity.chain().get(0).getPublicKey()));
  }

  private static online.hypermesh.protocol.consensus.bft.Digest digest(String hex) {
    return online.hypermesh.protocol.consensus.bft.Digest.of(java.util.HexFormat.of().parseHex(hex));
  }

  private static ChainResponse.CaesarAccount account(NodeSpec node, StoqIdentity who, String account) {
    ChainResponse reply = send(node, new ChainRequest.CaesarAccount(account), who, Duration.ofSeconds(15));
    return assertInstanceOf(ChainResponse.CaesarAccount.class, reply, String.valueOf(reply));
  }

  /** The operation with its owner's authorization, encoded as the CLI does it. */
  private static byte[] caesarPayload(String chainId, StoqIdentity owner, CaesarTransaction op) {
    return CaesarCodec.encode(op, OwnerAuthorization.sign(digest(chainId), op, owner.falconKey(), owner.chain()));
  }

  /** Over a connection authenticated as the owner (the payload's authorization decides all the same). */
  private static Outcome caesarSubmit(NodeSpec node, StoqIdentity owner, byte[] payload, long waitMillis, String memo,
      long amount) {
    ChainResponse reply = send(node, new ChainRequest.CaesarSubmit(payload, waitMillis), owner,
        Duration.ofMillis(waitMillis + 15_000));
    ChainResponse.TxStatus s = assertInstanceOf(ChainResponse.Submitted.class, reply, String.valueOf(reply)).status();
    return new Outcome(memo, amount, s.transactionId(), s.state(), s.height(), s.reason());
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
    return send(node, request, identity(), Duration.ofSeconds(15));
  }

  private static ChainResponse send(NodeSpec node, ChainRequest request, StoqIdentity who, Duration timeout) {
    StoqSettings settings = StoqSettings.defaults().withTimeouts(timeout, Duration.ofSeconds(10));
    for (int attempt = 1; ; attempt++) {
      ChainClient client;
      try {
        client = ChainClient.connect(node.host(), node.ports().stoq(), settings, StoqTls.defaults(), who, node.host());
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
