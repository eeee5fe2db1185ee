package online.hypermesh.node.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What `up` started, written to DIR/cluster.json so that `down` and `status` in another process find it.
 * Plain fields (not records) keep the file format independent of Java's record rules.
 */
public final class ClusterState {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  public static final String FILE = "cluster.json";

  public String cassandraHost;
  public int cassandraPort;
  public String cassandraDir;
  public List<NodeEntry> nodes = new ArrayList<>();

  public static final class NodeEntry {
    public String name;
    public int index;
    public String host;
    public int stoqPort;
    public int remotingPort;
    public int managementPort;
    public String dir;
    public long pid;

    static NodeEntry of(NodeSpec spec) {
      NodeEntry e = new NodeEntry();
      e.name = spec.name();
      e.index = spec.index();
      e.host = spec.host();
      e.stoqPort = spec.ports().stoq();
      e.remotingPort = spec.ports().remoting();
      e.managementPort = spec.ports().management();
      e.dir = spec.dir().toString();
      e.pid = spec.pid();
      return e;
    }

    public NodeSpec toSpec() {
      return new NodeSpec(name, index, host, new PortBlock(stoqPort, remotingPort, managementPort), Path.of(dir), pid);
    }
  }

  public List<NodeSpec> specs() {
    return nodes.stream().map(NodeEntry::toSpec).toList();
  }

  public void record(List<NodeSpec> specs) {
    nodes = new ArrayList<>(specs.stream().map(NodeEntry::of).toList());
  }

  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static Optional<ClusterState> load(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(file.toFile(), ClusterState.class));
  }

  public static void delete(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(FILE));
  }
}
