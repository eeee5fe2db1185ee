package online.hypermesh.node.local;

import online.hypermesh.protocol.stoq.IdentityFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts node JVMs from this JVM's classpath and stops them by pid, checking the pid is still one of ours. */
public final class NodeProcesses {

  private static final String MAIN = "online.hypermesh.node.Main";
  private static final String MARKER = "-Dhypermesh.process=node";

  private NodeProcesses() {
  }

  /** {@code genesis} null: consensus off on this node. */
  public static Process start(NodeSpec node, List<String> seeds, List<String> cassandraContactPoints, IdentityFiles identity,
      Path genesis) throws IOException {
    return start(node, seeds, cassandraContactPoints, identity, genesis, "");
  }

  /** @param keyspace the Cassandra keyspace prefix of the node's cluster ("" for the configured one) */
  public static Process start(NodeSpec node, List<String> seeds, List<String> cassandraContactPoints, IdentityFiles identity,
      Path genesis, String keyspace) throws IOException {
    Files.createDirectories(node.dir());
    Files.writeString(node.configFile(), configText(node, seeds, cassandraContactPoints, identity, genesis)
        + (keyspace.isEmpty() ? "" : "hypermesh.cassandra.keyspace = \"" + keyspace + "\"\n"
            + "hypermesh.cassandra.snapshot-keyspace = \"" + keyspace + "_snapshot\"\n"));
    List<String> command = new ArrayList<>();
    // Own session: a Ctrl-C in the terminal reaches `up`, which stops nodes before Cassandra, in order.
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid");
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // First on the line: ProcessHandle shows only the first 4 KiB of a command line, and the classpath is longer.
    command.add(MARKER);
    // Also early: the node's folder, so `pgrep -f DATA` (which sees 4 KiB) finds this cluster's nodes.
    command.add("-Dhypermesh.node-dir=" + node.dir().toAbsolutePath());
    String javaOpts = Optional.ofNullable(System.getenv("HYPERMESH_NODE_JAVA_OPTS")).orElse("-Xms128m -Xmx768m");
    for (String opt : javaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.add("-DHYPERMESH_LOG_LEVEL=INFO");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MAIN);
    command.add("--config");
    command.add(node.configFile().toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(node.logFile().toFile()));
    builder.environment().remove("HYPERMESH_SEED_NODES");
    return builder.start();
  }

  static String configText(NodeSpec node, List<String> seeds, List<String> contactPoints, IdentityFiles identity,
      Path genesis) {
    return "# Written by `hypermesh up`; rewritten on each start.\n"
        + "include classpath(\"dev.conf\")\n"
        + "hypermesh.node.name = \"" + node.name() + "\"\n"
        + "hypermesh.node.host = \"" + node.host() + "\"\n"
        + "hypermesh.node.bind = \"" + node.host() + "\"\n"
        + "hypermesh.stoq.port = " + node.ports().stoq() + "\n"
        + "hypermesh.remoting.port = " + node.ports().remoting() + "\n"
        + "hypermesh.management.port = " + node.ports().management() + "\n"
        + "hypermesh.dns.classic.port = " + node.ports().dns() + "\n"
        + "hypermesh.cassandra.contact-points = " + quotedList(contactPoints) + "\n"
        + "hypermesh.cluster.transport = \"stoq\"\n"
        + "pekko.cluster.seed-nodes = " + quotedList(seeds) + "\n"
        + "hypermesh.stoq.identity.key-file = \"" + identity.key() + "\"\n"
        + "hypermesh.stoq.identity.cert-file = \"" + identity.chain() + "\"\n"
        + "hypermesh.stoq.identity.trust-anchor-file = \"" + identity.trustAnchor() + "\"\n"
        + "hypermesh.consensus.enabled = " + (genesis != null) + "\n"
        + (genesis == null ? "" : "hypermesh.consensus.genesis = \"" + genesis + "\"\n");
  }

  private static String quotedList(List<String> items) {
    return items.stream().map(i -> "\"" + i + "\"").reduce((a, b) -> a + ", " + b).map(s -> "[" + s + "]").orElse("[]");
  }

  /** Whether pid is a live node JVM (a reused pid of another program is not). */
  public static boolean isNode(long pid) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().commandLine())
        .map(cmd -> cmd.contains(MARKER))
        .orElse(false);
  }

  /**
   * SIGTERM to all at once, so the nodes leave the cluster gracefully in parallel; SIGKILL to any still
   * running after the grace period. Returns the pids that were running nodes.
   */
  public static List<Long> stop(List<Long> pids, Duration grace) {
    List<ProcessHandle> handles = new ArrayList<>();
    for (long pid : pids) {
      if (isNode(pid)) {
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.destroy();
        handles.add(handle);
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle handle : handles) {
      try {
        handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception timedOut) {
        handle.destroyForcibly();
        handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> handle).join();
      }
    }
    return handles.stream().map(ProcessHandle::pid).toList();
  }

  /** SIGKILL: the crash a test or an operator's chaos drill wants. */
  public static void kill(long pid) {
    ProcessHandle.of(pid).filter(h -> isNode(pid)).ifPresent(h -> {
      h.destroyForcibly();
      h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
    });
  }

  static Duration elapsedSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
