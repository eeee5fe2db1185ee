package online.hypermesh.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.cql.Row;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs Apache Cassandra as a child JVM built from the Maven-resolved {@code cassandra-all} jars, so
 * development and tests get a real Cassandra without Docker or a manual download. Cassandra's jars stay
 * out of our classpath (they clash with ours); only the list of their paths is read from a resource.
 *
 * <p>The child does not die with this JVM on purpose: {@code up --detach} must leave it running, and a
 * later process stops it through the pid file ({@link #stopByPidFile}).
 */
public final class CassandraLauncher implements AutoCloseable {

  public static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";
  public static final String LOCAL_DATACENTER = "datacenter1";
  static final String CLASSPATH_RESOURCE = "online/hypermesh/persistence/cassandra.classpath";

  // Marks the child's command line with its data dir, so a pid file can never make us kill a
  // Cassandra that belongs to another data dir.
  private static final String DATA_DIR_PROPERTY = "hypermesh.cassandra.dataDir";
  private static final Pattern HEAP = Pattern.compile("\\d+[kKmMgG]?");
  private static final int LOG_TAIL_LINES = 40;

  // Cassandra's own conf/jvm17-server.options: without these, 5.0 fails on JDK 17 module encapsulation.
  private static final List<String> JDK17_MODULE_FLAGS = List.of(
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED");

  /** How to run one Cassandra. Everything it writes lives under {@code dataDir}. */
  public record Settings(
      Path dataDir,
      String host,
      int cqlPort,
      int storagePort,
      String heap,
      String clusterName,
      Duration startTimeout) {

    public Settings {
      // Absolute, because the child's working dir and the pid-file check must agree on one spelling.
      dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(heap, "heap");
      Objects.requireNonNull(clusterName, "clusterName");
      Objects.requireNonNull(startTimeout, "startTimeout");
      checkPort(cqlPort, "cqlPort");
      checkPort(storagePort, "storagePort");
      if (cqlPort == storagePort) {
        throw new IllegalArgumentException("cqlPort and storagePort must differ: " + cqlPort);
      }
      if (!HEAP.matcher(heap).matches()) {
        throw new IllegalArgumentException("heap must look like 512M or 1G, got '" + heap + "'");
      }
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
      }
    }

    public static Settings defaults(Path dataDir) {
      return new Settings(dataDir, "127.0.0.1", 9042, 7000, "1G", "hypermesh-dev", Duration.ofSeconds(120));
    }

    public Settings withPorts(int cqlPort, int storagePort) {
      return new Settings(dataDir, host, cqlPort, storagePort, heap, clusterName, startTimeout);
    }

    public Settings withHeap(String heap) {
      return new Settings(dataDir, host, cqlPort, storagePort, heap, clusterName, startTimeout);
    }

    public Settings withClusterName(String clusterName) {
      return new Settings(dataDir, host, cqlPort, storagePort, heap, clusterName, startTimeout);
    }

    public Settings withStartTimeout(Duration startTimeout) {
      return new Settings(dataDir, host, cqlPort, storagePort, heap, clusterName, startTimeout);
    }

    public CassandraEndpoint endpoint() {
      return new CassandraEndpoint(host, cqlPort);
    }

    private static void checkPort(int port, String name) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(name + " out of range: " + port);
      }
    }
  }

  /** A Cassandra started earlier on the same data dir is still alive; starting a second would corrupt it. */
  public static final class AlreadyRunningException extends IllegalStateException {
    private final long pid;

    AlreadyRunningException(Path dataDir, long pid) {
      super("Cassandra is already running on data dir " + dataDir + " (pid " + pid + ", pid file "
          + pidFile(dataDir) + "). Use it, or stop it first (CassandraLauncher.stopByPidFile / `kill " + pid
          + "`) before starting another one.");
      this.pid = pid;
    }

    public long pid() {
      return pid;
    }
  }

  private final Settings settings;
  private Process process;

  public CassandraLauncher(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Settings settings() {
    return settings;
  }

  public CassandraEndpoint endpoint() {
    return settings.endpoint();
  }

  public static Path pidFile(Path dataDir) {
    return dataDir.toAbsolutePath().normalize().resolve("cassandra.pid");
  }

  public static Path logFile(Path dataDir) {
    return dataDir.toAbsolutePath().normalize().resolve("logs").resolve("cassandra.out");
  }

  /** True while the child this launcher started is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public synchronized OptionalLong pid() {
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  /**
   * Starts Cassandra and returns once it answers a real CQL query.
   *
   * @param progress receives human-readable status lines, about one a second while waiting; may be null
   * @throws AlreadyRunningException if a Cassandra from an earlier start still runs on this data dir
   * @throws IllegalStateException if the child dies, a port is taken, or the start timeout passes
   */
  public synchronized void start(Consumer<String> progress) {
    Consumer<String> out = progress == null ? line -> { } : progress;
    Path dataDir = settings.dataDir();
    if (isRunning()) {
      throw new AlreadyRunningException(dataDir, process.pid());
    }
    Optional<ProcessHandle> previous = findRunning(dataDir);
    if (previous.isPresent()) {
      throw new AlreadyRunningException(dataDir, previous.get().pid());
    }
    // A pid file whose process is gone is left over from a crash or kill -9; it must not block a start.
    deleteQuietly(pidFile(dataDir));
    ensurePortFree(settings.host(), settings.cqlPort(), "CQL (native transport)");
    ensurePortFree(settings.host(), settings.storagePort(), "storage (gossip)");

    String classpath = readClasspath();
    Path log = logFile(dataDir);
    try {
      writeConfiguration(classpath);
      if (Files.exists(log)) {
        // Keep the previous run's output for a post-mortem, but start the tail we show on failure clean.
        Files.move(log, log.resolveSibling("cassandra.out.1"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Cassandra data dir " + dataDir, e);
    }

    ProcessBuilder builder = new ProcessBuilder(command())
        .directory(dataDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    // The classpath goes through the environment: on the command line its ~10 kB would push the main
    // class past the 4 kB of /proc/<pid>/cmdline that ProcessHandle.Info reads, and the pid-file check
    // could then no longer recognise the process as Cassandra.
    builder.environment().put("CLASSPATH", classpath);
    File devNull = new File("/dev/null");
    if (devNull.exists()) {
      // No pipe to us: a detached Cassandra must not notice when this JVM goes away.
      builder.redirectInput(ProcessBuilder.Redirect.from(devNull));
    }

    long startNanos = System.nanoTime();
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch " + builder.command().get(0), e);
    }
    writePidFile(process.pid());
    out.accept("started Cassandra (pid " + process.pid() + ", data " + dataDir + ", log " + log + ")");
    awaitCql(out, startNanos);
  }

  private void awaitCql(Consumer<String> out, long startNanos) {
    String host = settings.host();
    int port = settings.cqlPort();
    long deadline = startNanos + settings.startTimeout().toNanos();
    long nextProgress = startNanos + TimeUnit.SECONDS.toNanos(1);
    try {
      while (true) {
        if (!process.isAlive()) {
          failStart("Cassandra exited with code " + process.exitValue() + " before CQL on "
              + hostPort(host, port) + " answered");
        }
        // A plain connect first: building a driver session costs about a second, so only do it once
        // the native transport listens (Cassandra opens it last, when it is otherwise ready).
        if (portOpen(host, port, Duration.ofMillis(500))) {
          Optional<String> version = queryReleaseVersion(host, port, Duration.ofSeconds(5));
          if (version.isPresent()) {
            out.accept(String.format("Cassandra %s answers CQL on %s after %.1fs", version.get(),
                hostPort(host, port), (System.nanoTime() - startNanos) / 1e9));
            return;
          }
        }
        long now = System.nanoTime();
        if (now - deadline > 0) {
          failStart("Cassandra did not answer CQL on " + hostPort(host, port) + " within "
              + settings.startTimeout().toSeconds() + "s");
        }
        if (now - nextProgress >= 0) {
          out.accept("waiting for Cassandra CQL on " + hostPort(host, port) + " ... "
              + TimeUnit.NANOSECONDS.toSeconds(now - startNanos) + "s");
          nextProgress += TimeUnit.SECONDS.toNanos(1);
        }
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failStart("interrupted while waiting for Cassandra CQL on " + hostPort(host, port));
    } catch (RuntimeException | Error e) {
      if (process == null) {
        throw e; // failStart already cleaned up and is reporting
      }
      // Whatever broke the wait, a child nobody will ever stop must not be left behind.
      terminate(process, Duration.ofSeconds(10));
      deletePidFileIfOwnedBy(settings.dataDir(), process.pid());
      process = null;
      throw e;
    }
  }

  private void failStart(String reason) {
    Path log = logFile(settings.dataDir());
    // Kill before reading the log so the tail is final; a half-started node is of no use to anyone.
    terminate(process, Duration.ofSeconds(10));
    deletePidFileIfOwnedBy(settings.dataDir(), process.pid());
    process = null;
    throw new IllegalStateException(reason + ". Last lines of " + log + ":\n" + tail(log, LOG_TAIL_LINES));
  }

  /**
   * Stops the Cassandra this launcher started: SIGTERM so it flushes and closes cleanly, then SIGKILL
   * after {@code grace}. Does nothing if it is not running.
   */
  public synchronized void stop(Duration grace) {
    if (process == null) {
      return;
    }
    long pid = process.pid();
    terminate(process, grace);
    deletePidFileIfOwnedBy(settings.dataDir(), pid);
    process = null;
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }

  /**
   * The live Cassandra recorded in {@code dataDir}'s pid file, if there is one. A pid whose process is
   * gone, or now belongs to something that is not this data dir's Cassandra, yields empty.
   */
  public static Optional<ProcessHandle> findRunning(Path dataDir) {
    Path pidFile = pidFile(dataDir);
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    Path normalized = dataDir.toAbsolutePath().normalize();
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(handle -> isCassandraOf(handle, normalized));
  }

  /**
   * Stops a Cassandra that another process started on {@code dataDir} (e.g. {@code up --detach}), found
   * through its pid file. Removes the pid file.
   *
   * @return true if a running Cassandra was stopped, false if none was running
   */
  public static boolean stopByPidFile(Path dataDir, Duration grace) {
    Optional<ProcessHandle> running = findRunning(dataDir);
    running.ifPresent(handle -> terminate(handle, grace));
    deleteQuietly(pidFile(dataDir));
    return running.isPresent();
  }

  /** True if something on {@code host:port} answers {@code SELECT release_version FROM system.local}. */
  public static boolean cqlAnswers(String host, int port, Duration timeout) {
    return portOpen(host, port, timeout) && queryReleaseVersion(host, port, timeout).isPresent();
  }

  private static Optional<String> queryReleaseVersion(String host, int port, Duration timeout) {
    // Built from the driver's defaults in code, not from reference.conf/application.conf: a probe must
    // not depend on, or be broken by, whatever configuration the application has on its classpath.
    OptionsMap options = OptionsMap.driverDefaults();
    options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout);
    options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout);
    options.put(TypedDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout);
    options.put(TypedDriverOption.REQUEST_TIMEOUT, timeout);
    // A probe needs neither schema nor token metadata; skipping them keeps it fast and quiet.
    options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
    options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
    options.put(TypedDriverOption.RECONNECT_ON_INIT, false);
    options.put(TypedDriverOption.CONNECTION_POOL_LOCAL_SIZE, 1);
    // Netty's default 2 s quiet period on close would make every probe take over two seconds.
    options.put(TypedDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0);
    options.put(TypedDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0);
    try (CqlSession session = CqlSession.builder()
        .addContactPoint(new InetSocketAddress(host, port))
        .withLocalDatacenter(LOCAL_DATACENTER)
        .withConfigLoader(DriverConfigLoader.fromMap(options))
        .withClassLoader(CassandraLauncher.class.getClassLoader())
        .build()) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      return row == null ? Optional.empty() : Optional.ofNullable(row.getString("release_version"));
    } catch (DriverException e) {
      // Still starting, refused, timed out: for a probe these all mean "not yet".
      return Optional.empty();
    }
  }

  private List<String> command() {
    Path dataDir = settings.dataDir();
    Path conf = dataDir.resolve("conf");
    List<String> cmd = new ArrayList<>();
    // Its own session: a Ctrl-C in the terminal of a foreground `hypermesh up` must not reach Cassandra
    // directly, so that the nodes are stopped before it, in order.
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(javaExecutable());
    cmd.add("-Xms" + settings.heap());
    cmd.add("-Xmx" + settings.heap());
    cmd.add("-Xss256k");
    cmd.add("-XX:+UseG1GC");
    // Cassandra's own advice: a JVM limping on after an OOM can corrupt data; it exists on every JDK 8u92+.
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    // The module flags live in a java @argfile to keep the command line short (see start()).
    cmd.add("@" + conf.resolve("jvm17-server.options"));
    cmd.add("-Djdk.attach.allowAttachSelf=true");
    cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
    // Keeps Cassandra from closing stdout/stderr, which are our log file.
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-Dcassandra.config=" + conf.resolve("cassandra.yaml").toUri());
    cmd.add("-Dcassandra.storagedir=" + dataDir);
    cmd.add("-Dcassandra.logdir=" + dataDir.resolve("logs"));
    cmd.add("-Dlogback.configurationFile=" + conf.resolve("logback.xml"));
    cmd.add("-Dcassandra.triggers_dir=" + dataDir.resolve("triggers"));
    // A single node has nobody to wait for; these cut start-up from ~30 s to a few seconds.
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.add("-Dcassandra.ring_delay_ms=0");
    cmd.add("-Dcassandra.superuser_setup_delay_ms=0");
    cmd.add("-D" + DATA_DIR_PROPERTY + "=" + dataDir);
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  private static String javaExecutable() {
    // The JVM we run on is known to work (JDK 17); a bare "java" from PATH might be any version.
    return ProcessHandle.current().info().command()
        .filter(path -> Files.isExecutable(Path.of(path)))
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private void writeConfiguration(String classpath) throws IOException {
    Path dataDir = settings.dataDir();
    Path conf = Files.createDirectories(dataDir.resolve("conf"));
    for (String dir : List.of("data", "commitlog", "saved_caches", "hints", "cdc_raw", "triggers", "logs")) {
      Files.createDirectories(dataDir.resolve(dir));
    }
    // Rewritten on every start so a changed port or heap takes effect; the data itself is untouched.
    Files.writeString(conf.resolve("cassandra.yaml"), cassandraYaml());
    Files.writeString(conf.resolve("logback.xml"), LOGBACK_XML);
    Files.write(conf.resolve("jvm17-server.options"), moduleFlagLines());
    // For humans reproducing a start by hand; the launcher itself passes it through CLASSPATH.
    Files.writeString(conf.resolve("classpath.txt"), classpath.replace(File.pathSeparator, "\n") + "\n");
  }

  private static List<String> moduleFlagLines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < JDK17_MODULE_FLAGS.size(); i += 2) {
      lines.add(JDK17_MODULE_FLAGS.get(i) + " " + JDK17_MODULE_FLAGS.get(i + 1));
    }
    return lines;
  }

  private String cassandraYaml() {
    Path d = settings.dataDir();
    String host = settings.host();
    return String.join("\n",
        "# Written by " + CassandraLauncher.class.getName() + " on every start; edits are overwritten.",
        "cluster_name: " + yaml(settings.clusterName()),
        "num_tokens: 16",
        "allocate_tokens_for_local_replication_factor: 1",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        // Loopback-only development node: no credentials to manage.
        "authenticator: AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer",
        "data_file_directories:",
        "  - " + yaml(d.resolve("data").toString()),
        "commitlog_directory: " + yaml(d.resolve("commitlog").toString()),
        "saved_caches_directory: " + yaml(d.resolve("saved_caches").toString()),
        "hints_directory: " + yaml(d.resolve("hints").toString()),
        "cdc_raw_directory: " + yaml(d.resolve("cdc_raw").toString()),
        "commitlog_sync: periodic",
        "commitlog_sync_period: 10000ms",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        // The port in the seed keeps two dev nodes on one host from gossiping with each other.
        "      - seeds: " + yaml(hostPort(host, settings.storagePort())),
        "listen_address: " + yaml(host),
        "rpc_address: " + yaml(host),
        "storage_port: " + settings.storagePort(),
        "native_transport_port: " + settings.cqlPort(),
        "start_native_transport: true",
        "endpoint_snitch: SimpleSnitch",
        "disk_access_mode: mmap_index_only",
        "");
  }

  private static final String LOGBACK_XML = """
      <configuration scan="false">
        <!-- system.log keeps history across restarts; stdout goes to logs/cassandra.out for this run only. -->
        <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
          <file>${cassandra.logdir}/system.log</file>
          <rollingPolicy class="ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy">
            <fileNamePattern>${cassandra.logdir}/system.log.%d{yyyy-MM-dd}.%i.zip</fileNamePattern>
            <maxFileSize>50MB</maxFileSize>
            <maxHistory>7</maxHistory>
            <totalSizeCap>500MB</totalSizeCap>
          </rollingPolicy>
          <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
        </appender>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
        </appender>
        <root level="INFO">
          <appender-ref ref="SYSTEMLOG"/>
          <appender-ref ref="STDOUT"/>
        </root>
      </configuration>
      """;

  private static String yaml(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static String hostPort(String host, int port) {
    return new CassandraEndpoint(host, port).toString();
  }

  private static String readClasspath() {
    ClassLoader loader = CassandraLauncher.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + CLASSPATH_RESOURCE + " not found: the "
            + "hypermesh-cassandra-classpath jar must be on the classpath (build it with "
            + "`mvn -pl persistence/cassandra-classpath install`)");
      }
      String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      // The resource names jars in the local Maven repository of the machine that built it; catch a
      // cleaned or foreign repository here instead of as a NoClassDefFoundError in the child's log.
      List<String> missing = Arrays.stream(classpath.split(File.pathSeparator))
          .filter(jar -> !jar.isBlank() && !Files.exists(Path.of(jar)))
          .toList();
      if (classpath.isEmpty() || !missing.isEmpty()) {
        throw new IllegalStateException("Cassandra classpath from " + CLASSPATH_RESOURCE + " is unusable, "
            + missing.size() + " jar(s) missing, e.g. " + (missing.isEmpty() ? "(empty)" : missing.get(0))
            + ". Rebuild it with `mvn -pl persistence/cassandra-classpath install` on this machine.");
      }
      return classpath;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CLASSPATH_RESOURCE, e);
    }
  }

  private static boolean isCassandraOf(ProcessHandle handle, Path dataDir) {
    // Without a readable command line we cannot tell a reused pid from Cassandra, so we leave it alone.
    Optional<String> commandLine = handle.info().commandLine()
        .or(() -> handle.info().arguments().map(args -> String.join(" ", args)));
    if (commandLine.isEmpty() || !commandLine.get().contains("CassandraDaemon")) {
      return false;
    }
    String marker = "-D" + DATA_DIR_PROPERTY + "=";
    int at = commandLine.get().indexOf(marker);
    if (at < 0) {
      return true; // a Cassandra not started by us but named in our pid file: trust the pid file
    }
    String rest = commandLine.get().substring(at + marker.length());
    return rest.startsWith(dataDir + " ") || rest.equals(dataDir.toString());
  }

  private static void terminate(Process process, Duration grace) {
    terminate(process.toHandle(), grace);
    try {
      // Reaps our own child so it does not linger as a zombie that still "exists".
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void terminate(ProcessHandle handle, Duration grace) {
    if (!handle.isAlive()) {
      return;
    }
    handle.destroy();
    if (awaitExit(handle, grace)) {
      return;
    }
    handle.destroyForcibly();
    if (!awaitExit(handle, Duration.ofSeconds(30))) {
      throw new IllegalStateException("Cassandra (pid " + handle.pid() + ") did not exit even after SIGKILL");
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !handle.isAlive();
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private void writePidFile(long pid) {
    Path pidFile = pidFile(settings.dataDir());
    Path tmp = pidFile.resolveSibling("cassandra.pid.tmp");
    try {
      Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
      try {
        // Atomic so a concurrent `down` never reads a half-written pid.
        Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      terminate(process, Duration.ofSeconds(10));
      process = null;
      throw new UncheckedIOException("cannot write " + pidFile + "; Cassandra was stopped again", e);
    }
  }

  private static void deletePidFileIfOwnedBy(Path dataDir, long pid) {
    Path pidFile = pidFile(dataDir);
    try {
      // Another start may already have replaced it; never delete a pid file that is not ours.
      if (Files.isRegularFile(pidFile)
          && Files.readString(pidFile, StandardCharsets.US_ASCII).trim().equals(Long.toString(pid))) {
        Files.delete(pidFile);
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: a stale pid file is recognised as stale on the next start.
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Best effort, see deletePidFileIfOwnedBy.
    }
  }

  private static void ensurePortFree(String host, int port, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start Cassandra: " + what + " port " + hostPort(host, port)
          + " is already in use (another Cassandra or an earlier run?): " + e.getMessage(), e);
    }
  }

  private static boolean portOpen(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(timeout.toMillis(), 60_000)));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no log file " + file + ")";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int chunk = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[chunk];
      raf.seek(length - chunk);
      raf.readFully(bytes);
      String[] all = new String(bytes, StandardCharsets.UTF_8).split("\r?\n");
      return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
