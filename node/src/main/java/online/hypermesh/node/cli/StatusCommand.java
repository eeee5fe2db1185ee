package online.hypermesh.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import online.hypermesh.node.local.ClusterState;
import online.hypermesh.node.local.ManagementClient;
import online.hypermesh.node.local.NodeProcesses;
import online.hypermesh.node.local.NodeSpec;
import online.hypermesh.persistence.cassandra.CassandraLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "status", description = "Members, their roles and reachability, and each node's readiness, from the management endpoints. "
    + "Exit code 0 when every node is ready, 1 otherwise.")
final class StatusCommand implements Callable<Integer> {

  @Option(names = "--data", description = "The data folder given to `up`. Default: .hypermesh in the repository.")
  Path data;

  @Option(names = "--management", split = ",", description = "Management URLs to ask instead of the local cluster, e.g. http://[2001:db8::1]:8558.")
  List<String> managementUrls;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  private final ManagementClient management = new ManagementClient();

  record NodeStatus(String name, Long pid, String stoq, String management, boolean alive, boolean ready, String readiness,
      ManagementClient.BootstrapState bootstrap) {
  }

  @Override
  public Integer call() throws Exception {
    List<NodeStatus> nodes = new ArrayList<>();
    String cassandra = null;
    if (managementUrls != null && !managementUrls.isEmpty()) {
      for (String url : managementUrls) {
        nodes.add(probe(url, url, null, null));
      }
    } else {
      Path dataDir = data == null ? DataDir.defaultDir() : data.toAbsolutePath().normalize();
      Optional<ClusterState> state = ClusterState.load(dataDir);
      if (state.isEmpty()) {
        throw new CliException("no cluster was started from " + dataDir + " (run `hypermesh up`, or pass --management URL)");
      }
      for (NodeSpec spec : state.get().specs()) {
        nodes.add(probe(spec.name(), spec.managementUrl(), spec.pid(), spec.stoqEndpoint()));
      }
      boolean answers = CassandraLauncher.cqlAnswers(state.get().cassandraHost, state.get().cassandraPort, Duration.ofSeconds(3));
      cassandra = state.get().cassandraHost + ":" + state.get().cassandraPort + (answers ? " answering" : " NOT answering");
    }
    List<ManagementClient.Member> members = nodes.stream().filter(NodeStatus::alive)
        .map(n -> management.members(n.management())).flatMap(Optional::stream).findFirst().orElse(List.of());
    boolean allReady = !nodes.isEmpty() && nodes.stream().allMatch(NodeStatus::ready);

    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("allReady", allReady);
      out.put("members", members);
      out.put("nodes", nodes);
      out.put("cassandra", cassandra);
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    } else {
      long up = members.stream().filter(m -> m.status().equals("Up")).count();
      System.out.println("members: " + members.size() + " (" + up + " Up)");
      System.out.printf("  %-34s %-9s %-10s %s%n", "ADDRESS", "STATUS", "REACHABLE", "ROLES");
      for (ManagementClient.Member m : members) {
        System.out.printf("  %-34s %-9s %-10s %s%n", m.address(), m.status(), m.reachable() ? "yes" : "NO",
            String.join(",", m.roles()) + (m.roles().isEmpty() ? "" : " ") + "dc=" + m.dataCenter());
      }
      System.out.println("nodes:");
      System.out.printf("  %-8s %-8s %-18s %-26s %-6s %-6s %s%n", "NAME", "PID", "STOQ", "MANAGEMENT", "ALIVE", "PHASE", "READY");
      for (NodeStatus n : nodes) {
        System.out.printf("  %-8s %-8s %-18s %-26s %-6s %-6s %s%n", n.name(), n.pid() == null ? "-" : n.pid(),
            n.stoq() == null ? "-" : n.stoq(), n.management(), n.alive() ? "yes" : "NO",
            n.bootstrap() == null ? "-" : n.bootstrap().phase() + "/3", n.ready() ? "yes" : "NO (" + n.readiness() + ")");
      }
      for (NodeStatus n : nodes) {
        if (n.bootstrap() != null && n.bootstrap().certificate() != null) {
          System.out.println("  " + n.name() + " certificate: " + n.bootstrap().certificate());
        }
      }
      for (NodeStatus n : nodes) {
        if (n.bootstrap() != null && n.bootstrap().blockedBy() != null) {
          System.out.println("  " + n.name() + " is in phase " + n.bootstrap().phase() + " (" + n.bootstrap().title()
              + "); next phase blocked by " + n.bootstrap().blockedBy());
        }
      }
      if (cassandra != null) {
        System.out.println("cassandra: " + cassandra);
      }
    }
    return allReady ? 0 : 1;
  }

  private NodeStatus probe(String name, String url, Long pid, String stoq) {
    boolean processAlive = pid == null || NodeProcesses.isNode(pid);
    boolean alive = processAlive && management.alive(url);
    boolean ready = alive && management.ready(url);
    String readiness = ready ? "ready" : !processAlive ? "process not running" : !alive ? "management not answering"
        : management.readyDetail(url);
    ManagementClient.BootstrapState bootstrap = alive ? management.bootstrap(url).orElse(null) : null;
    return new NodeStatus(name, pid, stoq, url, alive, ready, readiness, bootstrap);
  }
}
