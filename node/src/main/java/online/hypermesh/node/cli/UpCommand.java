package online.hypermesh.node.cli;

import online.hypermesh.node.local.ClusterState;
import online.hypermesh.node.local.LocalCluster;
import online.hypermesh.node.local.NodeProcesses;
import online.hypermesh.node.local.NodeSpec;
import online.hypermesh.persistence.cassandra.CassandraLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "up", description = "Start the embedded Cassandra and a local cluster on ::1, and wait until every node is Up and ready.")
final class UpCommand implements Callable<Integer> {

  @Option(names = "--nodes", defaultValue = "4", description = "Number of nodes (1-9). Default: ${DEFAULT-VALUE}.")
  int nodes;

  @Option(names = "--validators", defaultValue = "-1", description = "How many nodes (the first ones) validate the chain whose genesis `up` writes to DATA/genesis.conf; 0 turns consensus off; at least 2 otherwise. Default: all nodes (none for a single node).")
  int validators;

  @Option(names = "--data", description = "Data folder for Cassandra, node configs and logs. Default: .hypermesh in the repository.")
  Path data;

  @Option(names = "--detach", description = "Return once all nodes are Up; stop them later with `hypermesh down`.")
  boolean detach;

  @Option(names = "--base-port", defaultValue = "8443", description = "STOQ port of node 1; node i uses base + 10*(i-1) for STOQ, +1 remoting, +2 management, +3 classic DNS (UDP and TCP). Default: ${DEFAULT-VALUE}.")
  int basePort;

  @Option(names = "--cassandra-port", defaultValue = "9042", description = "CQL port of the embedded Cassandra. Default: ${DEFAULT-VALUE}.")
  int cassandraPort;

  @Option(names = "--timeout", defaultValue = "300", description = "Seconds to wait for the cluster to be ready. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 9) {
      throw new CliException("--nodes must be between 1 and 9, got " + nodes, 2);
    }
    try {
      LocalCluster.validatorCount(validators, nodes);
    } catch (IllegalArgumentException e) {
      throw new CliException("--validators " + validators + ": " + e.getMessage(), 2);
    }
    Path dataDir = data == null ? DataDir.defaultDir() : data.toAbsolutePath().normalize();
    refuseIfRunning(dataDir);

    CassandraLauncher cassandra = new CassandraLauncher(CassandraLauncher.Settings.defaults(DataDir.cassandraDir(dataDir))
        .withPorts(cassandraPort, cassandraPort + 1));
    out.println("starting Cassandra (data in " + DataDir.cassandraDir(dataDir) + ")");
    try {
      cassandra.start(line -> out.println("  " + line));
    } catch (CassandraLauncher.AlreadyRunningException e) {
      throw new CliException("a Cassandra from an earlier run is still using " + DataDir.cassandraDir(dataDir)
          + " (pid " + e.pid() + "); run `hypermesh down` first");
    }

    LocalCluster cluster = new LocalCluster(dataDir, basePort, List.of(cassandra.endpoint().toString()))
        .validators(validators);
    ClusterState state = new ClusterState();
    state.cassandraHost = cassandra.endpoint().host();
    state.cassandraPort = cassandra.endpoint().port();
    state.cassandraDir = DataDir.cassandraDir(dataDir).toString();
    try {
      out.println("starting " + nodes + " nodes (logs in " + dataDir + "/node-N/node.log)");
      cluster.start(nodes);
      state.record(cluster.nodes());
      state.save(dataDir);
      cluster.awaitReady(Duration.ofSeconds(timeoutSeconds), line -> out.println("  " + line));
    } catch (Exception e) {
      out.println("start failed; stopping what was started");
      cluster.stopAll(Duration.ofSeconds(20), line -> out.println("  " + line));
      cassandra.stop(Duration.ofSeconds(30));
      ClusterState.delete(dataDir);
      throw new CliException(e.getMessage());
    }
    printEndpoints(cluster.nodes(), cassandra);

    if (detach) {
      out.println("running in the background; `./hypermesh status` to check, `./hypermesh down` to stop");
      return 0;
    }
    return runInForeground(cluster, cassandra, dataDir);
  }

  private void refuseIfRunning(Path dataDir) throws IOException {
    var existing = ClusterState.load(dataDir);
    if (existing.isPresent()) {
      long alive = existing.get().specs().stream().filter(n -> NodeProcesses.isNode(n.pid())).count();
      if (alive > 0) {
        throw new CliException("a cluster of " + alive + " running nodes was started from " + dataDir + "; run `hypermesh down` first");
      }
    }
  }

  private int runInForeground(LocalCluster cluster, CassandraLauncher cassandra, Path dataDir) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("\nstopping: nodes first, then Cassandra");
      cluster.stopAll(Duration.ofSeconds(30), line -> out.println("  " + line));
      cassandra.stop(Duration.ofSeconds(60));
      out.println("  stopped Cassandra");
      try {
        ClusterState.delete(dataDir);
      } catch (IOException e) {
        out.println("  could not remove " + dataDir.resolve(ClusterState.FILE) + ": " + e.getMessage());
      }
      stopped.countDown();
    }, "hypermesh-down"));
    out.println("press Ctrl-C to stop the cluster");
    List<Long> reported = new java.util.ArrayList<>();
    while (!stopped.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
      for (NodeSpec node : cluster.nodes()) {
        if (!NodeProcesses.isNode(node.pid()) && !reported.contains(node.pid())) {
          reported.add(node.pid());
          out.println(node.name() + " (pid " + node.pid() + ") has exited; see " + node.logFile());
        }
      }
    }
    return 0;
  }

  private void printEndpoints(List<NodeSpec> nodes, CassandraLauncher cassandra) {
    out.println();
    out.printf("%-8s %-8s %-22s %-28s %s%n", "NODE", "PID", "STOQ (udp, stoq/1)", "MANAGEMENT (http)", "REMOTING (stoq)");
    for (NodeSpec node : nodes) {
      out.printf("%-8s %-8d %-22s %-28s %s%n", node.name(), node.pid(), node.stoqEndpoint(), node.managementUrl(),
          node.remotingAddress());
    }
    out.println("health: <management>/ready and /alive; members: <management>/cluster/members; shards: <management>/cluster/shards/Asset");
    out.println("cassandra: " + cassandra.endpoint() + " (pid " + cassandra.pid().orElse(-1) + ")");
    out.println();
  }
}
