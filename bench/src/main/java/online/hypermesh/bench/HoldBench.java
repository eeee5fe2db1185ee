package online.hypermesh.bench;

import io.netty.util.internal.PlatformDependent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.stoq.HoldClients;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * {@code --hold N}: N concurrent authenticated STOQ connections to one StoqServer, as nodes run
 * it (ML-KEM-1024 + mutual FALCON-1024 handshake, payload protection per the default settings),
 * with certificates from a CA made for the run. The server runs in a child JVM ({@link
 * HoldServer}) so server and client memory and CPU are measured separately; the clients are
 * {@link HoldClients} (StoqClient's per-connection code, many connections per socket and thread).
 * In the same run: the single-threaded cost of the handshake's primitives ({@link CryptoBaseline}).
 */
final class HoldBench {

  /** QUIC connections per client UDP socket. */
  static final int CONNECTIONS_PER_SOCKET = 1000;
  /** Held connections idle while the rest connect: far beyond STOQ's 30 s. */
  static final Duration IDLE_TIMEOUT = Duration.ofHours(2);
  static final String SERVER_HEAP = "-Xmx6g";

  /** What one hold run does. */
  record Options(int connections, int concurrency, int clientThreads, boolean transportOnly,
      int rate, double seconds, int payloadBytes, double baselineSecondsEach) {}

  private HoldBench() {}

  static HoldReport run(Results.Machine machine, Options o) throws Exception {
    StoqSettings settings = StoqAdapter.loopbackSettings(IDLE_TIMEOUT);
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("connections", o.connections());
    parameters.put("mode", o.transportOnly()
        ? "transport only: QUIC + TLS 1.3 + STOQ framing, NO STOQ handshake, payloads not sealed"
        : "STOQ: ML-KEM-1024 + FALCON-1024 mutual handshake, payload protection "
            + (settings.payloadProtection() ? "on" : "off"));
    parameters.put("handshakeConcurrency", o.concurrency());
    parameters.put("clientThreads", o.clientThreads());
    parameters.put("connectionsPerClientSocket", CONNECTIONS_PER_SOCKET);
    parameters.put("serverThreads", 1);
    parameters.put("server", "child JVM " + SERVER_HEAP);
    parameters.put("latencyRatePerSecond", o.rate());
    parameters.put("latencySeconds", o.seconds());
    parameters.put("latencyPayloadBytes", o.payloadBytes());
    parameters.put("idleTimeoutSeconds", settings.idleTimeout().toSeconds());
    // These machines are shared: the load says how much of the 2 cores the run really had.
    parameters.put("loadAverageAtStart", loadAverage());

    Path dir = Files.createTempDirectory("hypermesh-hold");
    try {
      StoqIdentity clientIdentity = null;
      CryptoBaseline.Rates baseline = null;
      List<String> serverArgs = new ArrayList<>(List.of(String.valueOf(IDLE_TIMEOUT.toSeconds())));
      if (!o.transportOnly()) {
        NodeLocalCa ca = NodeLocalCa.create("hold bench CA", Duration.ofDays(1));
        Identity server = ca.issueIdentity(LeafSpec.of("hold-server", CertificateRole.NODE,
            List.of(), List.of(StoqSettings.ipv6("::1")), Duration.ofDays(1)));
        Identity client = ca.issueIdentity(LeafSpec.of("hold-client", CertificateRole.CLIENT,
            List.of(), List.of(), Duration.ofDays(1)));
        clientIdentity = StoqIdentity.of(client, ca.certificate(), Set.of());
        PqPem.writePrivateKey(dir.resolve("server.key"), server.privateKey());
        PqPem.writeCertificates(dir.resolve("server.pem"), server.chain());
        PqPem.writeCertificates(dir.resolve("ca.pem"), List.of(ca.certificate()));
        serverArgs.addAll(List.of(dir.resolve("server.key").toString(),
            dir.resolve("server.pem").toString(), dir.resolve("ca.pem").toString()));
        progress("crypto baseline (single thread)...");
        baseline = CryptoBaseline.measure(clientIdentity,
            StoqIdentity.of(server, ca.certificate(), Set.of()), o.baselineSecondsEach());
      }
      try (ServerProcess server = ServerProcess.start(serverArgs)) {
        InetSocketAddress address = new InetSocketAddress(Bench.LOOPBACK, server.port);
        // Warm-up: JIT on both sides (crypto included) is not charged to the measurement (skipped
        // for tiny runs such as the unit test, whose figures mean nothing anyway).
        int warm = o.connections() < 100 ? 0 : Math.min(o.connections(), 200);
        try (HoldClients warmClients = clients(address, settings, clientIdentity, warm, o)) {
          connectAll(warmClients, warm, o.concurrency(), false);
        }
        Thread.sleep(500);
        ServerStats serverBefore = server.stats();
        Results.Memory clientBefore = Memory.measure();
        try (HoldClients clients = clients(address, settings, clientIdentity, o.connections(), o)) {
          long clientCpu1 = processCpuNanos();
          long serverCpu0 = server.cpuNanos();
          long t0 = System.nanoTime();
          Connected connected = connectAll(clients, o.connections(), o.concurrency(), true);
          long handshakeNanos = System.nanoTime() - t0;
          // CPU is read before any measuring GC, so GC for the figures is not charged to handshakes.
          long clientCpu = processCpuNanos() - clientCpu1;
          long serverCpu = server.cpuNanos() - serverCpu0;
          ServerStats serverAfter = server.stats();
          Results.Memory clientAfter = Memory.measure();
          int n = connected.indices.length;
          int sealed = 0;
          for (int i : connected.indices) {
            sealed += clients.payloadProtected(i) ? 1 : 0;
          }
          // What merely holding the connections costs: CPU over an idle stretch (QUIC timers etc.).
          long serverIdle0 = server.cpuNanos();
          long clientIdle0 = processCpuNanos();
          long idle0 = System.nanoTime();
          Thread.sleep(o.connections() >= 1000 ? 3000 : 1000);
          double idleSeconds = (System.nanoTime() - idle0) / 1e9;
          double clientIdleCores = (processCpuNanos() - clientIdle0) / 1e9 / idleSeconds;
          double serverIdleCores = (server.cpuNanos() - serverIdle0) / 1e9 / idleSeconds;
          Results.Latency latency = null;
          long serverCpu2 = server.cpuNanos();
          long clientCpu2 = processCpuNanos();
          if (n > 0) {
            progress(n + " held; latency run of " + o.seconds() + " s");
            byte[] payload = new byte[o.payloadBytes()];
            int[] held = connected.indices;
            // Requests hop over all held connections (multiplicative hashing), not the first few.
            latency = OpenLoop.run("hold",
                i -> clients.request(held[(int) Math.floorMod(i * 2654435761L, (long) n)], payload),
                o.rate(), o.seconds(), o.payloadBytes(), 2000);
          }
          // CPU per answered request: what the request path costs, whatever share of the cores
          // this run got on a shared machine.
          long answered = latency == null ? 0 : Math.max(1, latency.answered());
          double serverCpuPerRequest = (server.cpuNanos() - serverCpu2) / 1e3 / Math.max(1, answered);
          double clientCpuPerRequest = (processCpuNanos() - clientCpu2) / 1e3 / Math.max(1, answered);
          int stillActive = server.stats().active;
          parameters.put("loadAverageAtEnd", loadAverage());
          double seconds = handshakeNanos / 1e9;
          double perSecond = n / seconds;
          String error = n < o.connections()
              ? (o.connections() - n) + " connections failed, first: " + connected.firstError : null;
          return new HoldReport(machine, parameters, o.connections(), n, o.connections() - n,
              stillActive, sealed,
              Results.round(seconds, 3), Results.round(perSecond, 1),
              Results.round(clientCpu / 1e6 / Math.max(1, n), 3),
              Results.round(serverCpu / 1e6 / Math.max(1, n), 3),
              baseline,
              baseline == null ? null
                  : Results.ratio(perSecond, baseline.oneCoreEachHandshakesPerSecond()),
              HoldReport.Side.of(serverBefore.memory, serverAfter.memory, n),
              HoldReport.Side.of(clientBefore, clientAfter, n),
              Results.round(clientIdleCores, 3), Results.round(serverIdleCores, 3),
              latency, Results.round(clientCpuPerRequest, 1), Results.round(serverCpuPerRequest, 1),
              error);
        }
      }
    } finally {
      try (var files = Files.list(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      Files.deleteIfExists(dir);
    }
  }

  private static HoldClients clients(InetSocketAddress server, StoqSettings settings,
      StoqIdentity identity, int capacity, Options o) {
    return new HoldClients(server, settings, StoqTls.defaults(), identity, "::1", capacity,
        o.clientThreads(), CONNECTIONS_PER_SOCKET);
  }

  /** The indices that connected, and the first failure. */
  record Connected(int[] indices, String firstError) {}

  /** Connects 0..n-1 with at most {@code concurrency} handshakes in flight. */
  static Connected connectAll(HoldClients clients, int n, int concurrency, boolean report)
      throws InterruptedException {
    Semaphore permits = new Semaphore(concurrency);
    boolean[] ok = new boolean[n];
    AtomicInteger done = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    long nextReport = start + TimeUnit.SECONDS.toNanos(10);
    for (int i = 0; i < n; i++) {
      while (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
        // The handshake timeout bounds every attempt, so permits always come back.
      }
      int index = i;
      clients.connect(i).whenComplete((v, e) -> {
        if (e == null) {
          ok[index] = true;
          succeeded.incrementAndGet();
        } else {
          firstError.compareAndSet(null, String.valueOf(e));
        }
        done.incrementAndGet();
        permits.release();
      });
      if (report && System.nanoTime() > nextReport) {
        nextReport += TimeUnit.SECONDS.toNanos(10);
        progress(String.format("%d of %d connected, %.0f/s", succeeded.get(), n,
            succeeded.get() / ((System.nanoTime() - start) / 1e9)));
      }
    }
    permits.acquire(concurrency);
    // ok[] is written by event-loop threads; the permits' release/acquire orders those writes.
    int[] indices = new int[succeeded.get()];
    int k = 0;
    for (int i = 0; i < n && k < indices.length; i++) {
      if (ok[i]) {
        indices[k++] = i;
      }
    }
    return new Connected(Arrays.copyOf(indices, k), firstError.get());
  }

  private static void progress(String line) {
    System.err.println("hold: " + line);
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** A {@code stats} answer of the server process. */
  record ServerStats(Results.Memory memory, int active) {}

  /** The child JVM running {@link HoldServer}; closing it stops it. */
  static final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final int port;

    private ServerProcess(Process process) throws IOException, InterruptedException {
      this.process = process;
      this.commands = new PrintWriter(
          new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
      Thread reader = new Thread(this::readLines, "hold-server-output");
      reader.setDaemon(true);
      reader.start();
      String first = answer(60);
      if (!first.startsWith("port ")) {
        throw new IOException("hold server did not start: " + first);
      }
      this.port = Integer.parseInt(first.substring(5).trim());
    }

    static ServerProcess start(List<String> args) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          SERVER_HEAP,
          "-DHYPERMESH_LOG_LEVEL=" + System.getProperty("HYPERMESH_LOG_LEVEL", "WARN"),
          "-cp", System.getProperty("java.class.path"),
          HoldServer.class.getName()));
      command.addAll(args);
      Process process = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      try {
        return new ServerProcess(process);
      } catch (IOException | RuntimeException e) {
        process.destroyForcibly();
        throw e;
      }
    }

    private void readLines() {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith(HoldServer.PREFIX)) {
            answers.add(line.substring(HoldServer.PREFIX.length()));
          } else {
            System.err.println("hold server: " + line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      answers.add("exited");
    }

    private String answer(int seconds) throws IOException, InterruptedException {
      String line = answers.poll(seconds, TimeUnit.SECONDS);
      if (line == null) {
        throw new IOException("hold server did not answer within " + seconds + " s");
      }
      return line;
    }

    /** The server process's CPU time so far (no GC first). */
    long cpuNanos() throws IOException, InterruptedException {
      commands.println("cpu");
      String line = answer(60);
      if (!line.startsWith("cpu ")) {
        throw new IOException("unexpected answer from the hold server: " + line);
      }
      return Long.parseLong(line.substring(4).trim());
    }

    ServerStats stats() throws IOException, InterruptedException {
      commands.println("stats");
      String line = answer(120);
      String[] f = line.split(" ");
      if (f.length != 6 || !f[0].equals("stats")) {
        throw new IOException("unexpected answer from the hold server: " + line);
      }
      return new ServerStats(
          new Results.Memory(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
              Long.parseLong(f[4])),
          Integer.parseInt(f[5]));
    }

    @Override
    public void close() throws InterruptedException {
      commands.println("quit");
      commands.close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Heap (after GC), JDK direct buffers, Netty's direct counter, and the process RSS. */
  static final class Memory {
    private Memory() {}

    static void gc() throws InterruptedException {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(100);
      }
    }

    static Results.Memory measure() throws InterruptedException {
      gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long direct = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        if (pool.getName().equals("direct")) {
          direct = pool.getMemoryUsed();
        }
      }
      long netty = PlatformDependent.usedDirectMemory();
      return new Results.Memory(heap, direct + Math.max(0, netty), netty, rss());
    }

    static long rss() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (Exception e) {
        // not Linux
      }
      return -1;
    }
  }
}
