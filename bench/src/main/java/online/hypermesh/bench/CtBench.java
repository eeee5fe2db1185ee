package online.hypermesh.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import online.hypermesh.actors.trustchain.TransparencyLog;
import online.hypermesh.persistence.JournalSchema;
import online.hypermesh.persistence.cassandra.CassandraEndpoint;
import online.hypermesh.persistence.cassandra.CassandraLauncher;
import online.hypermesh.protocol.trustchain.LogSigner;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * {@code hypermesh bench ct}: durable appends to the Certificate Transparency log entity (each persisted in
 * Cassandra before its FALCON-signed receipt comes back) against plain Cassandra writes of the same size and
 * concurrency through the driver, in the same run, on the same Cassandra.
 */
final class CtBench {

  record Options(double seconds, int concurrency, int entryBytes, String cassandra) {}

  /** A closed-loop run: {@code operations} completed in {@code seconds}, latency from send to answer. */
  record Rate(long operations, long failed, double seconds, double perSecond, double p50Micros, double p99Micros) {}

  record Report(Results.Machine machine, Map<String, Object> parameters, Rate plainCassandraWrites, Rate logAppends,
                Rate rawFalconSign, double ratio, String note) {
    String table() {
      StringBuilder b = new StringBuilder(Tables.machine(machine));
      b.append("parameters: ").append(parameters).append("\n\n");
      b.append(String.format(Locale.ROOT, "%-26s %12s %10s %10s %10s%n", "", "ops/s", "p50 µs", "p99 µs", "failed"));
      row(b, "plain Cassandra write", plainCassandraWrites);
      row(b, "CT log append (durable)", logAppends);
      row(b, "raw FALCON-1024 sign", rawFalconSign);
      b.append(String.format(Locale.ROOT, "%nlog / plain Cassandra (same run): %.3f; target 5,000 appends/s%n%s%n",
          ratio, note));
      return b.toString();
    }
  }

  static void row(StringBuilder b, String name, Rate r) {
    b.append(String.format(Locale.ROOT, "%-26s %12.0f %10.0f %10.0f %10d%n", name, r.perSecond(), r.p50Micros(),
        r.p99Micros(), r.failed()));
  }

  static Report run(Results.Machine machine, Options o) throws Exception {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("seconds", o.seconds());
    parameters.put("concurrency", o.concurrency());
    parameters.put("entryBytes", o.entryBytes());
    parameters.put("cassandra", o.cassandra() == null ? "started by the benchmark (launcher, 1 GiB heap)" : o.cassandra());
    try (Env env = Env.start(o.cassandra())) {
      byte[] template = new byte[o.entryBytes()];
      new java.util.Random(1).nextBytes(template);

      env.session.execute("CREATE TABLE IF NOT EXISTS " + env.keyspace
          + ".bench_plain_writes (id bigint PRIMARY KEY, entry blob)");
      PreparedStatement insert = env.session.prepare("INSERT INTO " + env.keyspace
          + ".bench_plain_writes (id, entry) VALUES (?, ?)");
      Rate plain = closedLoop(o.concurrency(), o.seconds(), i -> env.session.executeAsync(
          insert.bind(i, ByteBuffer.wrap(entry(template, i)))));

      ExecutorService signing = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
      try {
        ActorRef<TransparencyLog.Command> log = env.system.systemActorOf(TransparencyLog.create(
            "bench-" + UUID.randomUUID(), LogSigner.generate(), Clock.systemUTC(), signing), "bench-ct-log", Props.empty());
        Duration timeout = Duration.ofSeconds(30);
        Rate appends = closedLoop(o.concurrency(), o.seconds(), i -> AskPattern.<TransparencyLog.Command, TransparencyLog.Appended>ask(
            log, replyTo -> new TransparencyLog.Append(entry(template, i), replyTo), timeout, env.system.scheduler()));
        double ratio = plain.perSecond() == 0 ? 0 : round(appends.perSecond() / plain.perSecond());
        // Every append's receipt is one FALCON signature: the sign rate of the same threads is its ceiling.
        Rate sign = CaBench.rawSignRate(online.hypermesh.protocol.crypto.Falcon.generateKeyPair(),
            Runtime.getRuntime().availableProcessors(), Math.min(o.seconds(), 5));
        return new Report(machine, parameters, plain, appends, sign, ratio,
            "Each append is one event in a group-commit journal write (one Cassandra batch per flush) plus one "
                + "FALCON-1024 receipt signature on the signing pool (" + Runtime.getRuntime().availableProcessors()
                + " threads); the plain writes are single-row INSERTs with no signature. Cassandra's commit log "
                + "syncs periodically (10 s), for both.");
      } finally {
        signing.shutdownNow();
      }
    }
  }

  static byte[] entry(byte[] template, long i) {
    byte[] entry = template.clone();
    ByteBuffer.wrap(entry).putLong(0, i);
    return entry;
  }

  /** {@code concurrency} chains of requests, each sending its next when the previous answered, for {@code seconds}. */
  static Rate closedLoop(int concurrency, double seconds, LongFunction<CompletionStage<?>> operation)
      throws InterruptedException {
    LatencyRecorder latencies = new LatencyRecorder(4_000_000);
    AtomicLong sequence = new AtomicLong();
    AtomicLong done = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    for (int c = 0; c < concurrency; c++) {
      next(operation, sequence, done, latencies, finished, end);
    }
    finished.await((long) seconds + 120, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] sorted = latencies.sorted();
    return new Rate(done.get(), latencies.failed(), round(elapsed), round(done.get() / elapsed),
        LatencyRecorder.percentile(sorted, 50) / 1000.0, LatencyRecorder.percentile(sorted, 99) / 1000.0);
  }

  private static void next(LongFunction<CompletionStage<?>> operation, AtomicLong sequence, AtomicLong done,
                           LatencyRecorder latencies, CountDownLatch finished, long end) {
    if (System.nanoTime() >= end) {
      finished.countDown();
      return;
    }
    long sent = System.nanoTime();
    CompletionStage<?> stage;
    try {
      stage = operation.apply(sequence.getAndIncrement());
    } catch (RuntimeException e) {
      latencies.fail();
      finished.countDown();
      return;
    }
    stage.whenComplete((result, failure) -> {
      if (failure == null) {
        latencies.record(System.nanoTime() - sent);
        done.incrementAndGet();
      } else {
        latencies.fail();
      }
      next(operation, sequence, done, latencies, finished, end);
    });
  }

  static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  /** A Cassandra (started here unless given), a one-node cluster ActorSystem with the Cassandra journal, a driver session. */
  static final class Env implements AutoCloseable {
    final ActorSystem<Void> system;
    final CqlSession session;
    final String keyspace;
    private final CassandraLauncher launcher;

    private Env(ActorSystem<Void> system, CqlSession session, String keyspace, CassandraLauncher launcher) {
      this.system = system;
      this.session = session;
      this.keyspace = keyspace;
      this.launcher = launcher;
    }

    static Env start(String cassandra) throws IOException {
      CassandraLauncher launcher = null;
      CassandraEndpoint endpoint;
      if (cassandra == null) {
        Path dir = Files.createTempDirectory("hypermesh-bench-cassandra");
        launcher = new CassandraLauncher(CassandraLauncher.Settings.defaults(dir)
            .withPorts(freePort(), freePort()).withStartTimeout(Duration.ofSeconds(300)));
        System.err.println("bench: starting Cassandra in " + dir + " ...");
        launcher.start(line -> { });
        endpoint = launcher.endpoint();
      } else {
        endpoint = CassandraEndpoint.parse(cassandra);
      }
      String keyspace = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      Config config = ConfigFactory.parseString("""
              hypermesh.remoting.port = 0
              hypermesh.node.host = "::1"
              hypermesh.cassandra.keyspace = "%s"
              hypermesh.cassandra.snapshot-keyspace = "%s_snapshot"
              hypermesh.cassandra.contact-points = ["%s"]
              pekko.remote.artery.transport = tcp
              pekko.coordinated-shutdown.exit-jvm = off
              pekko.loglevel = WARNING
              """.formatted(keyspace, keyspace, endpoint))
          .withFallback(ConfigFactory.parseResources("base.conf"))
          .withFallback(ConfigFactory.defaultReference())
          .resolve();
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "HyperMeshBench", config);
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      JournalSchema.create(Adapter.toClassic(system), Duration.ofMinutes(5));
      CqlSession session = CqlSession.builder()
          .withConfigLoader(DriverConfigLoader.programmaticBuilder()
              .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
              .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(60)).build())
          .addContactPoint(new InetSocketAddress(endpoint.host(), endpoint.port()))
          .withLocalDatacenter(CassandraLauncher.LOCAL_DATACENTER).build();
      return new Env(system, session, keyspace, launcher);
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }

    @Override
    public void close() {
      session.close();
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the benchmark is over either way
      }
      if (launcher != null) {
        launcher.stop(Duration.ofSeconds(30));
        // The benchmark's own Cassandra data is of no use afterwards.
        try (var files = Files.walk(launcher.settings().dataDir())) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
          System.err.println("bench: could not delete " + launcher.settings().dataDir() + ": " + e.getMessage());
        }
      }
    }
  }
}
