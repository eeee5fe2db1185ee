package online.hypermesh.node.cli;

import online.hypermesh.node.local.ClusterState;
import online.hypermesh.node.local.LocalCluster;
import online.hypermesh.persistence.cassandra.CassandraLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "down", description = "Stop what `hypermesh up` started: the nodes first, then Cassandra.")
final class DownCommand implements Callable<Integer> {

  @Option(names = "--data", description = "The data folder given to `up`. Default: .hypermesh in the repository.")
  Path data;

  @Option(names = "--grace", defaultValue = "30", description = "Seconds each process gets to stop after SIGTERM before SIGKILL. Default: ${DEFAULT-VALUE}.")
  int graceSeconds;

  @Override
  public Integer call() throws Exception {
    Path dataDir = data == null ? DataDir.defaultDir() : data.toAbsolutePath().normalize();
    Optional<ClusterState> state = ClusterState.load(dataDir);
    boolean didSomething = false;
    if (state.isPresent()) {
      LocalCluster cluster = new LocalCluster(dataDir, 0, List.of());
      cluster.adopt(state.get().specs());
      cluster.stopAll(Duration.ofSeconds(graceSeconds), line -> System.out.println(line));
      didSomething = true;
    }
    Path cassandraDir = state.map(s -> Path.of(s.cassandraDir)).orElse(DataDir.cassandraDir(dataDir));
    if (CassandraLauncher.findRunning(cassandraDir).isPresent()) {
      System.out.println("stopping Cassandra");
      CassandraLauncher.stopByPidFile(cassandraDir, Duration.ofSeconds(Math.max(graceSeconds, 60)));
      System.out.println("stopped Cassandra");
      didSomething = true;
    }
    ClusterState.delete(dataDir);
    System.out.println(didSomething ? "cluster stopped" : "nothing was running from " + dataDir);
    return 0;
  }
}
