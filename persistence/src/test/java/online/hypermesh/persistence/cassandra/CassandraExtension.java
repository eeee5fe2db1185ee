package online.hypermesh.persistence.cassandra;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Gives every test in a JVM one shared, real Cassandra: started on first use (a start costs 10-15 s,
 * far too much per class), on free ports so parallel builds do not collide, and stopped when the
 * whole test run ends. With {@code HYPERMESH_TEST_CASSANDRA=host:port} set, that Cassandra is used
 * instead and nothing is started.
 *
 * <p>Use {@code @ExtendWith(CassandraExtension.class)} and take a {@link CassandraEndpoint} parameter,
 * or call {@link #host()} / {@link #cqlPort()}.
 */
public final class CassandraExtension implements BeforeAllCallback, ParameterResolver {

  public static final String ENDPOINT_ENV = "HYPERMESH_TEST_CASSANDRA";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CassandraExtension.class);
  private static final String OWNER_FILE = "owner.pid";
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final String LOG_PREFIX = "[CassandraExtension] ";

  private static final Object LOCK = new Object();
  private static CassandraEndpoint endpoint;
  private static CassandraLauncher launcher;
  private static RuntimeException startFailure;
  private static Thread shutdownHook;

  @Override
  public void beforeAll(ExtensionContext context) {
    ensureStarted(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == CassandraEndpoint.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return ensureStarted(extensionContext);
  }

  /** The shared Cassandra, starting it if no test has yet. */
  public static CassandraEndpoint endpoint() {
    return ensureStarted();
  }

  public static String host() {
    return endpoint().host();
  }

  public static int cqlPort() {
    return endpoint().port();
  }

  private static CassandraEndpoint ensureStarted(ExtensionContext context) {
    CassandraEndpoint started = ensureStarted();
    // The root store is closed once, after the last test of the run; that is when the shared node goes.
    context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(StopAtEndOfRun.class, key -> new StopAtEndOfRun(), StopAtEndOfRun.class);
    return started;
  }

  private static CassandraEndpoint ensureStarted() {
    synchronized (LOCK) {
      if (endpoint != null) {
        return endpoint;
      }
      if (startFailure != null) {
        // Fail every later class fast instead of paying another 2-minute timeout for each.
        throw new IllegalStateException("the shared test Cassandra failed to start earlier", startFailure);
      }
      String external = System.getenv(ENDPOINT_ENV);
      try {
        endpoint = external == null || external.isBlank() ? startShared() : useExternal(external);
      } catch (RuntimeException e) {
        startFailure = e;
        throw e;
      }
      return endpoint;
    }
  }

  private static CassandraEndpoint useExternal(String hostAndPort) {
    CassandraEndpoint external = CassandraEndpoint.parse(hostAndPort);
    if (!CassandraLauncher.cqlAnswers(external.host(), external.port(), Duration.ofSeconds(10))) {
      throw new IllegalStateException(ENDPOINT_ENV + "=" + hostAndPort + " is set, but no Cassandra answers CQL there"
          + " (local datacenter " + CassandraLauncher.LOCAL_DATACENTER + ")");
    }
    System.err.println(LOG_PREFIX + "using the Cassandra at " + external + " from " + ENDPOINT_ENV);
    return external;
  }

  private static CassandraEndpoint startShared() {
    reapOrphans();
    if (shutdownHook == null) {
      // Fallback for runs that never close the root store (a killed JUnit launcher, a plain main).
      shutdownHook = new Thread(CassandraExtension::stopShared, "stop-test-cassandra");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    IllegalStateException last = null;
    // Free ports are only free until someone else takes them; a lost race is retried with new ones.
    for (int attempt = 1; attempt <= 3; attempt++) {
      int[] ports = freePorts(2);
      CassandraLauncher.Settings settings = CassandraLauncher.Settings.defaults(newDataDir("shared"))
          .withPorts(ports[0], ports[1])
          .withClusterName("hypermesh-test")
          // Other modules' builds may share the two cores; a slow start should not fail a test run.
          .withStartTimeout(Duration.ofSeconds(180));
      CassandraLauncher candidate = new CassandraLauncher(settings);
      System.err.println(LOG_PREFIX + "starting the shared test Cassandra on " + settings.endpoint()
          + " (data " + settings.dataDir() + ")");
      try {
        candidate.start(CassandraExtension::printProgress);
        launcher = candidate;
        return settings.endpoint();
      } catch (IllegalStateException e) {
        if (!String.valueOf(e.getMessage()).contains("already in use")) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private static void printProgress(String line) {
    // One line every 5 s is enough to show life in a build log without drowning it.
    if (!line.startsWith("waiting") || line.matches(".* \\d*[05]s")) {
      System.err.println(LOG_PREFIX + line);
    }
  }

  private static void stopShared() {
    synchronized (LOCK) {
      if (launcher == null) {
        endpoint = null;
        return;
      }
      Path dataDir = launcher.settings().dataDir();
      try {
        launcher.stop(STOP_GRACE);
      } finally {
        launcher = null;
        endpoint = null;
      }
      System.err.println(LOG_PREFIX + "stopped the shared test Cassandra (logs kept in " + dataDir.resolve("logs") + ")");
      // owner.pid stays so the next run's reapOrphans recognises the leftover logs as dead and removes them.
      deleteAllBut(dataDir, "logs", OWNER_FILE);
    }
  }

  /** Closed by JUnit with the root context, i.e. once the whole test run is over. */
  // CloseableResource is deprecated since JUnit 5.13 in favour of AutoCloseable; implementing both keeps
  // the stop working whichever way junit.jupiter.extensions.store.close.autocloseable.enabled is set.
  @SuppressWarnings("deprecation")
  private static final class StopAtEndOfRun implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      stopShared();
      synchronized (LOCK) {
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException e) {
            // Already shutting down: the hook runs anyway and finds nothing left to stop.
          }
        }
      }
    }
  }

  /**
   * A new, empty directory under {@code target/cassandra-test} for a test's own Cassandra, marked with
   * this JVM's pid so a later run can stop and remove whatever a crashed run left behind.
   */
  public static Path newDataDir(String prefix) {
    Path dir = baseDir().resolve(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(OWNER_FILE), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return dir;
  }

  /** {@code count} distinct TCP ports that were free on the loopback interface a moment ago. */
  public static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        // All held open together so the same port cannot be handed out twice.
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free TCP ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }
  }

  private static Path baseDir() {
    // Surefire runs in the module dir and sets basedir; each module using the test-jar gets its own.
    String basedir = System.getProperty("basedir");
    Path root = basedir == null ? Path.of("") : Path.of(basedir);
    return root.resolve("target").resolve("cassandra-test").toAbsolutePath();
  }

  /** Stops Cassandras whose test JVM died without stopping them (kill -9, surefire timeout) and removes their dirs. */
  private static void reapOrphans() {
    Path base = baseDir();
    if (!Files.isDirectory(base)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(base)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Optional<Long> owner = readPid(dir.resolve(OWNER_FILE));
        boolean ownerAlive = owner.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
        if (owner.isPresent() && !ownerAlive) {
          if (CassandraLauncher.stopByPidFile(dir, Duration.ofSeconds(10))) {
            System.err.println(LOG_PREFIX + "stopped an orphaned test Cassandra in " + dir);
          }
          deleteAllBut(dir);
        }
      }
    } catch (IOException e) {
      System.err.println(LOG_PREFIX + "could not clean " + base + ": " + e);
    }
  }

  private static Optional<Long> readPid(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Deletes {@code dir} recursively, except its direct children named in {@code keep}. */
  static void deleteAllBut(Path dir, String... keep) {
    List<Path> kept = Stream.of(keep).map(dir::resolve).toList();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (!kept.isEmpty() && (path.equals(dir) || kept.stream().anyMatch(path::startsWith))) {
          continue;
        }
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println(LOG_PREFIX + "could not fully delete " + dir + ": " + e);
    }
  }
}
