package online.hypermesh.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Loads a node's configuration: the operator's file, then the modules' reference.conf, then the list-valued
 * environment overrides that HOCON cannot express. Every problem is reported as one clear message before
 * anything starts.
 */
public final class NodeConfig {

  private static final Map<String, String> LIST_ENVIRONMENT = Map.of(
      "HYPERMESH_SEED_NODES", "pekko.cluster.seed-nodes",
      "HYPERMESH_CASSANDRA_CONTACT_POINTS", "hypermesh.cassandra.contact-points",
      "HYPERMESH_CASSANDRA_DC_REPLICATION", "hypermesh.cassandra.data-center-replication-factors");

  private NodeConfig() {
  }

  public static Config load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException("configuration file " + file + " does not exist or is not a file");
    }
    try {
      Config parsed = ConfigFactory.parseFile(file.toFile());
      return finish(parsed);
    } catch (ConfigException e) {
      throw new InvalidConfigException("configuration " + file + ": " + e.getMessage());
    }
  }

  /** For tests and embedded use: the given settings over the dev defaults. */
  public static Config fromString(String hocon) {
    try {
      return finish(ConfigFactory.parseString(hocon));
    } catch (ConfigException e) {
      throw new InvalidConfigException("configuration: " + e.getMessage());
    }
  }

  private static Config finish(Config parsed) {
    Config withEnvironment = parsed;
    for (Map.Entry<String, String> entry : LIST_ENVIRONMENT.entrySet()) {
      String value = System.getenv(entry.getKey());
      if (value != null && !value.isBlank()) {
        List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        withEnvironment = withEnvironment.withValue(entry.getValue(), ConfigValueFactory.fromIterable(items));
      }
    }
    Config config = ConfigFactory.load(withEnvironment);
    validate(config);
    return config;
  }

  static void validate(Config config) {
    List<String> problems = new ArrayList<>();
    for (String key : List.of("hypermesh.stoq.port", "hypermesh.remoting.port", "hypermesh.management.port")) {
      int port = config.getInt(key);
      if (port < 1 || port > 65_535) {
        problems.add(key + " = " + port + " is not a port (1-65535)");
      }
    }
    for (String key : List.of("hypermesh.node.host", "hypermesh.node.bind", "hypermesh.node.canonical-host")) {
      String host = config.getString(key);
      if (looksLikeIpv4(host)) {
        problems.add(key + " = " + host + " is IPv4; HyperMesh is IPv6 only");
      }
    }
    String join = config.getString("hypermesh.cluster.join");
    if (!join.equals("seeds") && !join.equals("bootstrap")) {
      problems.add("hypermesh.cluster.join = " + join + " must be seeds or bootstrap");
    }
    if (join.equals("seeds") && config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      problems.add("pekko.cluster.seed-nodes is empty; with hypermesh.cluster.join = seeds the node could never join");
    }
    if (config.getStringList("hypermesh.cassandra.contact-points").isEmpty()) {
      problems.add("hypermesh.cassandra.contact-points is empty");
    }
    if (config.getBytes("hypermesh.stoq.max-frame-bytes") < 1024) {
      problems.add("hypermesh.stoq.max-frame-bytes must be at least 1 KiB");
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException("invalid configuration: " + String.join("; ", problems));
    }
  }

  private static boolean looksLikeIpv4(String host) {
    if (!host.matches("[0-9.]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).getAddress().length == 4;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public static final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
      super(message);
    }
  }
}
