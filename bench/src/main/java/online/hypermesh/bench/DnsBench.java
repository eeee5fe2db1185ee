package online.hypermesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.dns.ClassicDnsServer;
import online.hypermesh.protocol.dns.DnsNode;
import online.hypermesh.protocol.dns.DnsResponder;
import online.hypermesh.protocol.dns.DnsSettings;
import online.hypermesh.protocol.dns.DnsZone;
import online.hypermesh.protocol.dns.DoqClient;
import online.hypermesh.protocol.dns.DoqService;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code hypermesh bench dns}: the node's DNS responder over DNS over QUIC (on a STOQ server, ALPN
 * doq, one stream per query) against the same responder over plain UDP, in one run on ::1. Two
 * measurements each: closed loop (C connections or sockets, W queries in flight each: the most
 * queries/s, with the latency that costs) and open loop at a fixed rate (latency from each query's
 * due time, no coordinated omission). The answer to every query is checked (NOERROR, 3 AAAA).
 */
final class DnsBench {

  private static final InetAddress LOOPBACK = Bench.LOOPBACK;
  private static final int EXPECTED_ANSWERS = 3;

  private DnsBench() {}

  record Run(String transport, String mode, int connections, int window, int ratePerSecond, double seconds,
             long answered, long failed, double queriesPerSecond, double p50Micros, double p99Micros, double p999Micros,
             double maxMicros, double serverCpuMicrosPerQuery, double queriesPerServerCoreSecond) {

    /** The same run with the server's event-loop CPU time spent on it. */
    Run withServerCpu(long cpuNanos) {
      double perQuery = answered == 0 ? 0 : cpuNanos / 1e3 / answered;
      return new Run(transport, mode, connections, window, ratePerSecond, seconds, answered, failed, queriesPerSecond,
          p50Micros, p99Micros, p999Micros, maxMicros, Results.round(perQuery, 1),
          perQuery <= 0 ? 0 : Results.round(1e6 / perQuery, 0));
    }
  }

  record Report(Results.Machine machine, Map<String, Object> parameters, List<Run> runs,
                Double doqVsUdpClosedLoopQps, Double doqVsUdpOpenLoopP99, String error) {

    String table() {
      StringBuilder b = new StringBuilder(Tables.machine(machine));
      b.append("parameters: ").append(parameters).append("\n\n");
      b.append(String.format(Locale.ROOT, "%-5s %-22s %12s %10s %10s %10s %10s %12s %14s %16s%n",
          "", "load", "queries/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "failed", "server CPU µs/q",
          "q/s per server core"));
      for (Run r : runs) {
        String load = r.mode().equals("closed")
            ? String.format(Locale.ROOT, "closed %dx%d in flight", r.connections(), r.window())
            : String.format(Locale.ROOT, "open %d/s over %d", r.ratePerSecond(), r.connections());
        b.append(String.format(Locale.ROOT, "%-5s %-22s %12.0f %10.1f %10.1f %10.1f %10.1f %12s %14.1f %16.0f%n",
            r.transport(), load, r.queriesPerSecond(), r.p50Micros(), r.p99Micros(), r.p999Micros(), r.maxMicros(),
            r.failed() + "/" + (r.answered() + r.failed()), r.serverCpuMicrosPerQuery(), r.queriesPerServerCoreSecond()));
      }
      b.append(String.format(Locale.ROOT, "%nDoQ / UDP (same run): closed-loop queries/s %s; open-loop p99 %s (lower is better)%n",
          doqVsUdpClosedLoopQps, doqVsUdpOpenLoopP99));
      if (error != null) {
        b.append("error: ").append(error).append('\n');
      }
      return b.toString();
    }
  }

  @CommandLine.Command(name = "dns", mixinStandardHelpOptions = true,
      description = "DNS over QUIC (the node's DoQ service on a STOQ server) against plain UDP DNS with the same "
          + "responder: closed-loop queries/s and open-loop latency at --rate.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "seconds per run (four runs; default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--connections", defaultValue = "4", description = "DoQ connections / UDP sockets (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--window", defaultValue = "32", description = "closed loop: queries in flight per connection (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--rate", defaultValue = "50000", description = "open loop: queries/s (default ${DEFAULT-VALUE}, the target)")
    int rate;

    @Option(names = "--warmup", defaultValue = "10", description = "seconds of closed-loop load on each transport before "
        + "measuring (default ${DEFAULT-VALUE}; the JIT needs ~100,000 DoQ queries to reach steady state)")
    double warmup;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (seconds <= 0 || seconds > 600 || warmup < 0 || warmup > 600 || connections < 1 || connections > 256 || window < 1 || window > 1000
          || rate < 1 || rate > 2_000_000) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "out of range: --seconds 0..600, --warmup 0..600, --connections 1..256, --window 1..1000, --rate 1..2000000");
      }
      Results.Machine machine = Bench.machine(("./hypermesh bench " + String.join(" ", BenchCli.rawArgs)).trim());
      Report report = run(machine, seconds, warmup, connections, window, rate);
      System.out.println(json
          ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report)
          : report.table());
      return report.error() == null ? 0 : 1;
    }
  }

  static Report run(Results.Machine machine, double seconds, double warmup, int connections, int window, int rate)
      throws Exception {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("seconds", seconds);
    parameters.put("warmup", warmup);
    parameters.put("connections", connections);
    parameters.put("window", window);
    parameters.put("rate", rate);
    parameters.put("query", "trust.hypermesh.online AAAA (3 answers)");
    NodeLocalCa ca = NodeLocalCa.create("bench dns CA", Duration.ofHours(1));
    Identity node = ca.issueIdentity(LeafSpec.of("node-1", CertificateRole.NODE, List.of("node-1.hypermesh.online"),
        List.of(LOOPBACK), Duration.ofHours(1)));
    List<DnsNode> nodes = new ArrayList<>();
    for (int i = 1; i <= EXPECTED_ANSWERS; i++) {
      nodes.add(new DnsNode("node-" + i, (Inet6Address) InetAddress.getByName("2001:db8::" + i), 8443, "local",
          DnsNode.spkiSha256(node.leaf())));
    }
    DnsZone zone = DnsZone.of(DnsSettings.defaults(), "node-1", nodes, 1);
    DnsResponder responder = new DnsResponder(() -> zone);
    StoqSettings settings = new StoqSettings(LOOPBACK, 0, StoqSettings.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(60),
        100_000, 64L << 20, 64 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10), true);
    List<Run> runs = new ArrayList<>();
    String error = null;
    try (StoqServer stoq = new StoqServer(settings, p -> CompletableFuture.completedFuture(new byte[0]), StoqTls.defaults(),
        StoqIdentity.of(node, ca.certificate(), Set.of()), List.of(new DoqService(responder, Duration.ofSeconds(10))));
         ClassicDnsServer udp = new ClassicDnsServer(LOOPBACK, 0, responder, Duration.ofSeconds(10))) {
      int doqPort = stoq.start();
      int udpPort = udp.start();
      byte[] query = query(0);
      List<DoqClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < connections; i++) {
          clients.add(DoqClient.connect(LOOPBACK, doqPort, Duration.ofSeconds(5)));
        }
        closedDoq(clients, query, window, warmup); // JIT, pools
        long cpu = cpuNanos(DOQ_SERVER_THREAD);
        runs.add(closedDoq(clients, query, window, seconds).withServerCpu(cpuNanos(DOQ_SERVER_THREAD) - cpu));
        try (UdpClients sockets = new UdpClients(connections, udpPort)) {
          sockets.closed(window, warmup);
          cpu = cpuNanos(UDP_SERVER_THREAD);
          runs.add(sockets.closed(window, seconds).withServerCpu(cpuNanos(UDP_SERVER_THREAD) - cpu));
          cpu = cpuNanos(DOQ_SERVER_THREAD);
          runs.add(openDoq(clients, query, rate, seconds).withServerCpu(cpuNanos(DOQ_SERVER_THREAD) - cpu));
          cpu = cpuNanos(UDP_SERVER_THREAD);
          runs.add(sockets.open(rate, seconds).withServerCpu(cpuNanos(UDP_SERVER_THREAD) - cpu));
        }
      } finally {
        clients.forEach(DoqClient::close);
      }
      if (responder.internalErrors() > 0) {
        error = responder.internalErrors() + " internal responder errors";
      }
    } catch (RuntimeException | IOException e) {
      error = e.toString();
    }
    Double qps = runs.size() == 4 ? Results.ratio(runs.get(0).queriesPerSecond(), runs.get(1).queriesPerSecond()) : null;
    Double p99 = runs.size() == 4 ? Results.ratio(runs.get(2).p99Micros(), runs.get(3).p99Micros()) : null;
    return new Report(machine, parameters, runs, qps, p99, error);
  }

  /** Event-loop threads of the StoqServer and of ClassicDnsServer (their names' prefixes). */
  private static final String DOQ_SERVER_THREAD = "stoq-server";
  private static final String UDP_SERVER_THREAD = "dns-classic";

  /**
   * CPU time used so far by the threads whose names start with {@code prefix}: what a query costs
   * the server, independent of how much of the machine other processes take.
   */
  static long cpuNanos(String prefix) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (java.lang.management.ThreadInfo info : threads.dumpAllThreads(false, false)) {
      if (info.getThreadName().startsWith(prefix)) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  static byte[] query(int id) throws IOException {
    Message message = Message.newQuery(Record.newRecord(Name.fromString("trust.hypermesh.online."), Type.AAAA, DClass.IN));
    message.getHeader().setID(id);
    return message.toWire();
  }

  /** NOERROR with the expected number of answers. */
  static boolean good(byte[] answer) {
    return answer.length >= 12 && (answer[3] & 0x0F) == 0 && ((answer[6] & 0xFF) << 8 | (answer[7] & 0xFF)) == EXPECTED_ANSWERS;
  }

  private static Run closedDoq(List<DoqClient> clients, byte[] query, int window, double seconds) throws InterruptedException {
    LatencyRecorder recorder = new LatencyRecorder(20_000_000);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong inFlight = new AtomicLong();
    long start = System.nanoTime();
    for (DoqClient client : clients) {
      for (int w = 0; w < window; w++) {
        inFlight.incrementAndGet();
        sendDoq(client, query, recorder, stop, inFlight);
      }
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    long elapsed = System.nanoTime() - start;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return closedRun("doq", clients.size(), window, seconds, elapsed, recorder);
  }

  private static void sendDoq(DoqClient client, byte[] query, LatencyRecorder recorder, AtomicBoolean stop, AtomicLong inFlight) {
    long sent = System.nanoTime();
    client.query(query).whenComplete((answer, failure) -> {
      if (failure == null && good(answer)) {
        recorder.record(System.nanoTime() - sent);
      } else {
        recorder.fail();
      }
      if (stop.get() || failure != null) {
        inFlight.decrementAndGet();
      } else {
        sendDoq(client, query, recorder, stop, inFlight);
      }
    });
  }

  private static Run openDoq(List<DoqClient> clients, byte[] query, int rate, double seconds) {
    long start = System.nanoTime();
    Results.Latency latency = OpenLoop.run("doq", i -> clients.get((int) (i % clients.size())).query(query)
        .thenApply(answer -> {
          if (!good(answer)) {
            throw new IllegalStateException("bad answer");
          }
          return answer;
        }), rate, seconds, query.length, 5000);
    return openRun("doq", clients.size(), rate, seconds, latency, System.nanoTime() - start);
  }

  private static Run closedRun(String transport, int connections, int window, double seconds, long elapsedNanos,
                               LatencyRecorder recorder) {
    long[] sorted = recorder.sorted();
    return new Run(transport, "closed", connections, window, 0, seconds, sorted.length, recorder.failed(),
        Results.round(sorted.length / (elapsedNanos / 1e9), 0),
        OpenLoop.micros(LatencyRecorder.percentile(sorted, 50)), OpenLoop.micros(LatencyRecorder.percentile(sorted, 99)),
        OpenLoop.micros(LatencyRecorder.percentile(sorted, 99.9)), OpenLoop.micros(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
        0, 0);
  }

  /** Queries/s here is answered / time until the last answer: below the offered rate when the run fell behind. */
  private static Run openRun(String transport, int connections, int rate, double seconds, Results.Latency l, long elapsedNanos) {
    return new Run(transport, "open", connections, 0, rate, seconds, l.answered(), l.failed(),
        Results.round(l.answered() / Math.max(seconds, elapsedNanos / 1e9), 0), l.p50Micros(), l.p99Micros(), l.p999Micros(), l.maxMicros(), 0, 0);
  }

  /**
   * Plain DNS over UDP from {@code count} sockets, each with a reader thread. The 16-bit DNS id
   * correlates answers (a query whose id is reused before it is answered counts as failed).
   */
  private static final class UdpClients implements AutoCloseable {
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private final List<Map<Integer, Pending>> pending = new ArrayList<>();
    private final InetSocketAddress server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Listener listener;

    private record Pending(long sentNanos, CompletableFuture<Void> done) {}

    private interface Listener {
      void answered(int socket, Pending pending, boolean good);
    }

    UdpClients(int count, int port) throws IOException {
      server = new InetSocketAddress(LOOPBACK, port);
      for (int s = 0; s < count; s++) {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setReceiveBufferSize(4 << 20);
        socket.setSendBufferSize(4 << 20);
        socket.setSoTimeout(100);
        sockets.add(socket);
        Map<Integer, Pending> map = new ConcurrentHashMap<>();
        pending.add(map);
        int index = s;
        Thread reader = new Thread(() -> read(index, socket, map), "dns-udp-rx-" + s);
        reader.setDaemon(true);
        readers.add(reader);
        reader.start();
      }
    }

    private void read(int index, DatagramSocket socket, Map<Integer, Pending> map) {
      byte[] buffer = new byte[2048];
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      while (!closed.get()) {
        try {
          packet.setLength(buffer.length);
          socket.receive(packet);
          int id = (buffer[0] & 0xFF) << 8 | (buffer[1] & 0xFF);
          Pending p = map.remove(id);
          if (p != null) {
            boolean good = good(java.util.Arrays.copyOf(buffer, packet.getLength()));
            Listener l = listener;
            if (l != null) {
              l.answered(index, p, good);
            }
            if (good) {
              p.done().complete(null);
            } else {
              p.done().completeExceptionally(new IllegalStateException("bad answer"));
            }
          }
        } catch (SocketTimeoutException e) {
          // poll closed
        } catch (IOException e) {
          return;
        }
      }
    }

    private final AtomicLong nextId = new AtomicLong();

    private Pending send(int socketIndex) {
      int id = (int) (nextId.getAndIncrement() & 0xFFFF);
      Pending p = new Pending(System.nanoTime(), new CompletableFuture<>());
      Pending replaced = pending.get(socketIndex).put(id, p);
      if (replaced != null) {
        replaced.done().completeExceptionally(new IllegalStateException("id reused before answer"));
      }
      try {
        byte[] q = query(id);
        sockets.get(socketIndex).send(new DatagramPacket(q, q.length, server));
      } catch (IOException e) {
        pending.get(socketIndex).remove(id);
        p.done().completeExceptionally(e);
      }
      return p;
    }

    Run closed(int window, double seconds) throws InterruptedException {
      LatencyRecorder recorder = new LatencyRecorder(20_000_000);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong inFlight = new AtomicLong();
      // Each answer sends the next query from the reader thread; a lost datagram shrinks the window,
      // so a watchdog tops windows back up every 100 ms (and the loss counts as failed).
      listener = (socket, p, good) -> {
        if (good) {
          recorder.record(System.nanoTime() - p.sentNanos());
        } else {
          recorder.fail();
        }
        if (stop.get()) {
          inFlight.decrementAndGet();
        } else {
          send(socket);
        }
      };
      long start = System.nanoTime();
      for (int s = 0; s < sockets.size(); s++) {
        for (int w = 0; w < window; w++) {
          inFlight.incrementAndGet();
          send(s);
        }
      }
      long end = start + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        Thread.sleep(100);
        for (int s = 0; s < sockets.size(); s++) {
          long stale = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(200);
          for (Map.Entry<Integer, Pending> e : pending.get(s).entrySet()) {
            if (e.getValue().sentNanos() < stale && pending.get(s).remove(e.getKey(), e.getValue())) {
              recorder.fail();
              send(s);
            }
          }
        }
      }
      stop.set(true);
      long elapsed = System.nanoTime() - start;
      Thread.sleep(300);
      listener = null;
      pending.forEach(Map::clear);
      return closedRun("udp", sockets.size(), window, seconds, elapsed, recorder);
    }

    Run open(int rate, double seconds) {
      listener = null;
      long start = System.nanoTime();
      Results.Latency latency = OpenLoop.run("udp", i -> send((int) (i % sockets.size())).done(), rate, seconds, 40, 5000);
      return openRun("udp", sockets.size(), rate, seconds, latency, System.nanoTime() - start);
    }

    @Override
    public void close() throws InterruptedException {
      closed.set(true);
      sockets.forEach(DatagramSocket::close);
      for (Thread t : readers) {
        t.join(1000);
      }
    }
  }
}
