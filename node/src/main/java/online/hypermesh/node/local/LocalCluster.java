package online.hypermesh.node.local;

import online.hypermesh.protocol.stoq.IdentityFiles;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A cluster of node processes on one machine (`hypermesh up`, and the integration tests): node i gets
 * its own port block and folder under the data directory; node 1 (and 2) are the seeds.
 */
public final class LocalCluster {

  public static final String HOST = "::1";
  /** The common name of the CLI's operator certificate. */
  public static final String CLI_NAME = "hypermesh-cli";

  private final Path dataDir;
  private final int basePort;
  private final List<String> cassandraContactPoints;
  private final ManagementClient management = new ManagementClient();
  private final List<NodeSpec> nodes = new ArrayList<>();
  private DevPki pki;
  private int validators = -1;
  private String keyspace = "";

  public LocalCluster(Path dataDir, int basePort, List<String> cassandraContactPoints) {
    this.dataDir = dataDir;
    this.basePort = basePort;
    this.cassandraContactPoints = List.copyOf(cassandraContactPoints);
  }

  public static NodeSpec spec(Path dataDir, int basePort, int index) {
    return new NodeSpec("node-" + index, index, HOST, PortBlock.of(basePort, index), dataDir.resolve("node-" + index), 0);
  }

  public List<String> seeds() {
    List<String> seeds = new ArrayList<>();
    seeds.add(spec(dataDir, basePort, 1).remotingAddress());
    seeds.add(spec(dataDir, basePort, 2).remotingAddress());
    return seeds;
  }

  /**
   * Starts nodes 1..count without waiting for them, each with a fresh certificate, and (unless
   * consensus is off) writes a fresh chain's genesis whose validators are the first
   * {@link #validators(int)} of them.
   */
  public List<NodeSpec> start(int count) throws IOException {
    List<IdentityFiles> identities = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      NodeSpec spec = spec(dataDir, basePort, i);
      identities.add(pki().issueNode(spec.name(), InetAddress.getByName(spec.host())));
    }
    int validatorCount = validatorCount(validators, count);
    if (validatorCount > 0) {
      LocalGenesis.write(genesisFile(dataDir), identities.subList(0, validatorCount),
          java.util.stream.IntStream.rangeClosed(1, validatorCount).mapToObj(i -> "node-" + i).toList(),
          clientIdentity());
    } else {
      java.nio.file.Files.deleteIfExists(genesisFile(dataDir));
    }
    for (int i = 1; i <= count; i++) {
      launch(i, identities.get(i - 1));
    }
    return nodes();
  }

  /**
   * (Re)starts node {@code index} with the key it had (its certificate is reissued only if it has
   * none): a validator's key is in the genesis, and a new one would not be accepted.
   */
  public NodeSpec startNode(int index) throws IOException {
    NodeSpec spec = spec(dataDir, basePort, index);
    IdentityFiles identity = DevPki.nodeFiles(pkiDir(dataDir), spec.name());
    if (!java.nio.file.Files.exists(identity.key()) || !java.nio.file.Files.exists(identity.chain())) {
      identity = pki().issueNode(spec.name(), InetAddress.getByName(spec.host()));
    }
    return launch(index, identity);
  }

  private NodeSpec launch(int index, IdentityFiles identity) throws IOException {
    NodeSpec spec = spec(dataDir, basePort, index);
    Path genesis = genesisFile(dataDir);
    Process process = NodeProcesses.start(spec, seeds(), cassandraContactPoints, identity,
        java.nio.file.Files.exists(genesis) ? genesis : null, keyspace);
    NodeSpec started = spec.withPid(process.pid());
    nodes.removeIf(n -> n.index() == index);
    nodes.add(started);
    nodes.sort(java.util.Comparator.comparingInt(NodeSpec::index));
    return started;
  }

  /**
   * The validators of a cluster of {@code nodes} nodes given {@code --validators} ({@code
   * requested}, -1 for all): all nodes by default, but none for a single node, since the BFT
   * consensus needs at least 2; an explicit 1 is refused.
   */
  public static int validatorCount(int requested, int nodes) {
    int count = requested < 0 ? (nodes >= 2 ? nodes : 0) : Math.min(requested, nodes);
    if (count == 1) {
      throw new IllegalArgumentException("a chain needs at least 2 validators (4 tolerate one "
          + "faulty); --validators 0 runs without consensus");
    }
    return count;
  }

  /**
   * How many nodes (the first ones) are the chain's validators: -1 (default) all nodes started
   * by {@link #start}, 0 none (consensus off).
   */
  public LocalCluster validators(int count) {
    this.validators = count;
    return this;
  }

  /**
   * The Cassandra keyspace of this cluster's journals ("" = the configured one): two clusters
   * sharing one Cassandra need their own, or their entities' journals would mix.
   */
  public LocalCluster keyspace(String name) {
    if (!name.isEmpty() && !name.matches("[a-z][a-z0-9_]{0,38}")) {
      throw new IllegalArgumentException("a keyspace name is [a-z][a-z0-9_]{0,38}, not '" + name + "'");
    }
    this.keyspace = name;
    return this;
  }

  /** The genesis the nodes of a local cluster share: DIR/genesis.conf. */
  public static Path genesisFile(Path dataDir) {
    return dataDir.resolve("genesis.conf");
  }

  /**
   * The TrustChain root and intermediate in DIR/pki (created on first use, shared with the nodes' CA),
   * which issue each node's first certificate and the CLI's client certificate.
   */
  public DevPki pki() throws IOException {
    if (pki == null) {
      pki = DevPki.openOrCreate(pkiDir(dataDir));
      pki.issueClient(CLI_NAME);
    }
    return pki;
  }

  public static Path pkiDir(Path dataDir) {
    return dataDir.resolve("pki");
  }

  /** The identity a client of this cluster (the CLI, a test) uses. */
  public IdentityFiles clientIdentity() throws IOException {
    pki();
    return DevPki.clientFiles(pkiDir(dataDir));
  }

  public List<NodeSpec> nodes() {
    return List.copyOf(nodes);
  }

  public Optional<NodeSpec> node(int index) {
    return nodes.stream().filter(n -> n.index() == index).findFirst();
  }

  /**
   * Waits until every running node is Up in the cluster and ready, reporting progress about every two seconds.
   * Fails early, with the end of its log, when a node process dies.
   */
  public void awaitReady(Duration timeout, Consumer<String> progress) throws InterruptedException {
    long start = System.nanoTime();
    long lastReport = 0;
    while (true) {
      for (NodeSpec node : nodes) {
        // Alive is enough here: these are processes this object started, and right after a start
        // the command line (which isNode checks) may not be readable yet on a busy machine.
        if (!ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false)) {
          throw new IllegalStateException(node.name() + " exited during start; its log " + node.logFile() + " ends with:\n"
              + LogTail.of(node.logFile(), 15));
        }
      }
      int up = countUp();
      int ready = (int) nodes.stream().filter(n -> management.ready(n.managementUrl())).count();
      Duration elapsed = NodeProcesses.elapsedSince(start);
      if (up == nodes.size() && ready == nodes.size()) {
        progress.accept(String.format("all %d nodes Up and ready after %ds", nodes.size(), elapsed.toSeconds()));
        return;
      }
      if (elapsed.compareTo(timeout) > 0) {
        StringBuilder detail = new StringBuilder();
        for (NodeSpec node : nodes) {
          detail.append("\n  ").append(node.name()).append(": ").append(management.readyDetail(node.managementUrl()));
        }
        throw new IllegalStateException("cluster not ready after " + timeout.toSeconds() + "s: " + up + "/" + nodes.size()
            + " Up, " + ready + "/" + nodes.size() + " ready" + detail);
      }
      if (elapsed.toMillis() - lastReport >= 2000) {
        lastReport = elapsed.toMillis();
        progress.accept(String.format("[%3ds] nodes Up %d/%d, ready %d/%d", elapsed.toSeconds(), up, nodes.size(), ready, nodes.size()));
      }
      Thread.sleep(500);
    }
  }

  /** Members with status Up, as seen by the first node that answers. */
  public int countUp() {
    for (NodeSpec node : nodes) {
      Optional<List<ManagementClient.Member>> members = management.members(node.managementUrl());
      if (members.isPresent()) {
        return (int) members.get().stream().filter(m -> m.status().equals("Up")).count();
      }
    }
    return 0;
  }

  public ManagementClient management() {
    return management;
  }

  public void kill(int index) {
    node(index).ifPresent(n -> NodeProcesses.kill(n.pid()));
    nodes.removeIf(n -> n.index() == index);
  }

  /** Stops every node with SIGTERM (graceful leave), SIGKILL after the grace period. */
  public void stopAll(Duration grace, Consumer<String> progress) {
    progress.accept("stopping " + nodes.size() + " nodes");
    List<Long> stopped = NodeProcesses.stop(nodes.stream().map(NodeSpec::pid).toList(), grace);
    for (NodeSpec node : nodes) {
      if (stopped.contains(node.pid())) {
        progress.accept("stopped " + node.name() + " (pid " + node.pid() + ")");
      }
    }
    nodes.clear();
  }

  public void adopt(List<NodeSpec> running) {
    nodes.clear();
    nodes.addAll(running);
  }
}
