package online.hypermesh.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(CassandraExtension.class)
class CassandraLauncherTest {

  private static final Duration GRACE = Duration.ofSeconds(30);

  static CqlSession connect(CassandraEndpoint endpoint) {
    // The driver's 2 s defaults are too tight for DDL on a 2-core machine shared with other builds.
    OptionsMap options = OptionsMap.driverDefaults();
    options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(15));
    options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(15));
    options.put(TypedDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(15));
    options.put(TypedDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60));
    options.put(TypedDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30));
    options.put(TypedDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30));
    options.put(TypedDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0);
    options.put(TypedDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0);
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(endpoint.host(), endpoint.port()))
        .withLocalDatacenter(CassandraLauncher.LOCAL_DATACENTER)
        .withConfigLoader(DriverConfigLoader.fromMap(options))
        .build();
  }

  static void createSchema(CqlSession session, String keyspace) {
    session.execute("CREATE KEYSPACE IF NOT EXISTS " + keyspace
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TABLE IF NOT EXISTS " + keyspace + ".items (id int PRIMARY KEY, name text)");
  }

  @Test
  void writesAndReadsRowsOnTheSharedCassandra(CassandraEndpoint endpoint) {
    try (CqlSession session = connect(endpoint)) {
      createSchema(session, "launcher_shared");
      PreparedStatement insert = session.prepare("INSERT INTO launcher_shared.items (id, name) VALUES (?, ?)");
      for (int id = 0; id < 50; id++) {
        session.execute(insert.bind(id, "item-" + id));
      }

      Row one = session.execute("SELECT name FROM launcher_shared.items WHERE id = 42").one();
      assertNotNull(one);
      assertEquals("item-42", one.getString("name"));
      Set<Integer> ids = session.execute("SELECT id FROM launcher_shared.items").all().stream()
          .map(row -> row.getInt("id"))
          .collect(Collectors.toSet());
      assertEquals(IntStream.range(0, 50).boxed().collect(Collectors.toSet()), ids);
    }
  }

  @Test
  void staticAccessorsNameTheInjectedEndpoint(CassandraEndpoint endpoint) {
    assertEquals(endpoint, new CassandraEndpoint(CassandraExtension.host(), CassandraExtension.cqlPort()));
    assertTrue(CassandraLauncher.cqlAnswers(endpoint.host(), endpoint.port(), Duration.ofSeconds(10)));
  }

  @Test
  void refusesToStartWhenTheCqlPortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int[] ports = CassandraExtension.freePorts(1);
      CassandraLauncher launcher = new CassandraLauncher(CassandraLauncher.Settings
          .defaults(CassandraExtension.newDataDir("taken"))
          .withPorts(taken.getLocalPort(), ports[0]));

      IllegalStateException e = assertThrows(IllegalStateException.class, () -> launcher.start(null));
      assertTrue(e.getMessage().contains("already in use"), e.getMessage());
      assertFalse(launcher.isRunning());
    }
  }

  @Test
  void aStartThatTimesOutKillsTheChild() {
    Path dataDir = CassandraExtension.newDataDir("timeout");
    int[] ports = CassandraExtension.freePorts(2);
    CassandraLauncher launcher = new CassandraLauncher(CassandraLauncher.Settings.defaults(dataDir)
        .withPorts(ports[0], ports[1])
        .withStartTimeout(Duration.ofSeconds(2)));
    List<String> progress = new CopyOnWriteArrayList<>();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> launcher.start(progress::add));

    assertTrue(e.getMessage().contains("did not answer CQL on 127.0.0.1:" + ports[0] + " within 2s"), e.getMessage());
    assertTrue(e.getMessage().contains("Last lines of " + CassandraLauncher.logFile(dataDir)), e.getMessage());
    assertTrue(progress.stream().anyMatch(line -> line.startsWith("waiting for Cassandra CQL on 127.0.0.1:" + ports[0])),
        progress.toString());
    assertFalse(launcher.isRunning());
    assertFalse(Files.exists(CassandraLauncher.pidFile(dataDir)));
    assertEquals(List.of(), processesMentioning(dataDir));
    CassandraExtension.deleteAllBut(dataDir, "logs", "owner.pid");
  }

  static List<String> processesMentioning(Path dataDir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toAbsolutePath().toString()))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
        .toList();
  }

  /**
   * One Cassandra of the test's own, on its own data dir and ports, taken through its life cycle. The
   * steps share the node because each start costs 10-15 s; each step still starts it if needed.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class OwnLauncher {

    private Path dataDir;
    private CassandraLauncher.Settings settings;
    private CassandraLauncher launcher;

    @BeforeAll
    void createLauncher() {
      dataDir = CassandraExtension.newDataDir("own");
      int[] ports = CassandraExtension.freePorts(2);
      settings = CassandraLauncher.Settings.defaults(dataDir)
          .withPorts(ports[0], ports[1])
          .withClusterName("hypermesh-own")
          .withStartTimeout(Duration.ofSeconds(180));
      launcher = new CassandraLauncher(settings);
    }

    @AfterAll
    void stopLauncher() {
      launcher.stop(GRACE);
      CassandraLauncher.stopByPidFile(dataDir, GRACE);
      CassandraExtension.deleteAllBut(dataDir, "logs", "owner.pid");
    }

    private void ensureRunning() {
      if (!launcher.isRunning()) {
        launcher.start(line -> System.err.println("[own Cassandra] " + line));
      }
    }

    @Test
    @Order(1)
    void keepsItsDataAcrossStopAndStart() throws IOException {
      ensureRunning();
      long pid = launcher.pid().orElseThrow();
      Path pidFile = CassandraLauncher.pidFile(dataDir);
      assertEquals(Long.toString(pid), Files.readString(pidFile).trim());
      try (CqlSession session = connect(settings.endpoint())) {
        createSchema(session, "launcher_own");
        session.execute("INSERT INTO launcher_own.items (id, name) VALUES (7, 'survives a restart')");
      }

      launcher.stop(GRACE);

      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " still alive");
      assertFalse(Files.exists(pidFile), "pid file not removed");
      assertFalse(launcher.isRunning());
      assertFalse(CassandraLauncher.cqlAnswers(settings.host(), settings.cqlPort(), Duration.ofSeconds(1)));

      launcher.start(line -> System.err.println("[own Cassandra, again] " + line));

      assertTrue(launcher.pid().orElseThrow() != pid);
      try (CqlSession session = connect(settings.endpoint())) {
        Row row = session.execute("SELECT name FROM launcher_own.items WHERE id = 7").one();
        assertNotNull(row, "row written before the restart is gone");
        assertEquals("survives a restart", row.getString("name"));
      }
    }

    @Test
    @Order(2)
    void refusesASecondStartOnTheSameDataDir() {
      ensureRunning();
      long pid = launcher.pid().orElseThrow();
      // Other ports, so it is the pid file and not a busy port that stops the second start.
      int[] otherPorts = CassandraExtension.freePorts(2);
      CassandraLauncher second = new CassandraLauncher(settings.withPorts(otherPorts[0], otherPorts[1]));

      CassandraLauncher.AlreadyRunningException e =
          assertThrows(CassandraLauncher.AlreadyRunningException.class, () -> second.start(null));

      assertTrue(e.getMessage().contains("already running"), e.getMessage());
      assertTrue(e.getMessage().contains(dataDir.toAbsolutePath().toString()), e.getMessage());
      assertEquals(pid, e.pid());
      assertFalse(second.isRunning());
      assertThrows(CassandraLauncher.AlreadyRunningException.class, () -> launcher.start(null));
      assertTrue(launcher.isRunning());
      assertTrue(CassandraLauncher.cqlAnswers(settings.host(), settings.cqlPort(), Duration.ofSeconds(10)));
    }

    @Test
    @Order(3)
    void stopByPidFileStopsItFromOutside() {
      ensureRunning();
      long pid = launcher.pid().orElseThrow();

      assertTrue(CassandraLauncher.stopByPidFile(dataDir, GRACE));

      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " still alive");
      assertFalse(Files.exists(CassandraLauncher.pidFile(dataDir)), "pid file not removed");
      assertFalse(CassandraLauncher.stopByPidFile(dataDir, GRACE), "nothing left to stop");
    }

    @Test
    @Order(4)
    void stopByPidFileLeavesAReusedPidAlone() throws Exception {
      // A pid file naming a live process that is not Cassandra, as after a reboot that reused the pid.
      Process notCassandra = new ProcessBuilder("sleep", "60").start();
      try {
        Files.writeString(CassandraLauncher.pidFile(dataDir), notCassandra.pid() + "\n");

        assertFalse(CassandraLauncher.stopByPidFile(dataDir, Duration.ofSeconds(1)));

        assertTrue(notCassandra.isAlive());
        assertFalse(Files.exists(CassandraLauncher.pidFile(dataDir)), "stale pid file not removed");
      } finally {
        notCassandra.destroyForcibly().waitFor();
      }
    }

    @Test
    @Order(5)
    void aFailedStartExplainsItselfWithTheLogAndLeavesNoProcess() {
      launcher.stop(GRACE);
      CassandraLauncher.stopByPidFile(dataDir, GRACE);
      // Cassandra refuses to start on data saved under another cluster name: a quick, real failure.
      CassandraLauncher wrongCluster = new CassandraLauncher(settings.withClusterName("another-cluster"));

      IllegalStateException e = assertThrows(IllegalStateException.class, () -> wrongCluster.start(null));

      assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
      assertTrue(e.getMessage().contains("Last lines of"), e.getMessage());
      assertTrue(e.getMessage().contains("another-cluster"), e.getMessage());
      assertFalse(wrongCluster.isRunning());
      assertFalse(Files.exists(CassandraLauncher.pidFile(dataDir)), "pid file of the failed start not removed");
      assertEquals(List.of(), processesMentioning(dataDir));
    }
  }
}
