package online.hypermesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hypermesh bench ...}: the user-facing benchmarks. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "HyperMesh benchmarks (loopback ::1 only; every run stops by itself).",
    subcommands = {BenchCli.Stoq.class, DnsBench.Cli.class, BenchCli.Ca.class, BenchCli.Ct.class,
        BenchCli.Consensus.class, CaesarBench.Cli.class})
public final class BenchCli implements Callable<Integer> {

  static final Set<String> ALL = Set.of("udp", "quic", "tls", "stoq");

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  @Command(
      name = "stoq",
      mixinStandardHelpOptions = true,
      description = {
        "STOQ against raw UDP (ceiling), plain Netty QUIC (baseline) and JDK TCP+TLS 1.3 "
            + "(incumbent): bulk throughput over 1 and C connections and open-loop request latency.",
        "With --hold N: N concurrent STOQ connections; handshake rate, memory per connection, "
            + "p99 latency of small requests spread over them."
      })
  static final class Stoq implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "seconds per throughput run and per latency run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--connections", defaultValue = "4", description = "C for the many-connection runs (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--rate", defaultValue = "2000", description = "requests/s of the open-loop latency runs (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--request-bytes", defaultValue = "64", description = "payload of latency requests (default ${DEFAULT-VALUE})")
    int requestBytes;

    @Option(names = "--bulk-kib", defaultValue = "512", description = "STOQ bulk request payload, KiB (default ${DEFAULT-VALUE})")
    int bulkKib;

    @Option(names = "--pipeline", defaultValue = "8", description = "STOQ bulk requests in flight per connection (default ${DEFAULT-VALUE})")
    int pipeline;

    @Option(names = "--only", split = ",", description = "subset of udp,quic,tls,stoq (default all)")
    List<String> only;

    @Option(names = "--hold", description = "hold N concurrent STOQ connections instead")
    Integer hold;

    @Option(names = "--handshake-concurrency", defaultValue = "32", description = "--hold: handshakes in flight (default ${DEFAULT-VALUE}; too many and, on a busy machine, they outlast the 10 s handshake timeout)")
    int handshakeConcurrency;

    @Option(names = "--hold-client-threads", defaultValue = "1", description = "--hold: client event-loop threads (default ${DEFAULT-VALUE}; the server has 1)")
    int holdClientThreads;

    @Option(names = "--hold-baseline-seconds", defaultValue = "1", description = "--hold: seconds per primitive of the single-thread crypto baseline (default ${DEFAULT-VALUE})")
    double holdBaselineSeconds;

    @Option(names = "--hold-transport-only", description = "--hold without the STOQ handshake (QUIC + TLS + framing only), for comparison")
    boolean holdTransportOnly;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (seconds <= 0 || seconds > 600 || connections < 1 || connections > 1024 || rate < 1
          || rate > 1_000_000 || requestBytes < 8 || requestBytes > 1200 || bulkKib < 1
          || bulkKib > 1000 || pipeline < 1 || pipeline > 64
          || (hold != null && (hold < 1 || hold > 1_000_000))) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "out of range: --seconds 0..600, --connections 1..1024, --rate 1..1000000, "
                + "--request-bytes 8..1200, --bulk-kib 1..1000, --pipeline 1..64, --hold 1..1000000");
      }
      String command = "./hypermesh bench " + String.join(" ", rawArgs);
      Results.Machine machine = Bench.machine(command.trim());
      PrintStream out = System.out;
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      if (hold != null) {
        HoldReport report = HoldBench.run(machine, new HoldBench.Options(hold,
            handshakeConcurrency, holdClientThreads, holdTransportOnly, rate, seconds, requestBytes,
            holdBaselineSeconds));
        out.println(json ? mapper.writeValueAsString(report) : report.table());
        return report.connectedConnections() > 0 ? 0 : 1;
      }
      Set<String> which = new LinkedHashSet<>(only == null ? List.of("udp", "quic", "tls", "stoq") : only);
      if (!ALL.containsAll(which)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--only takes " + ALL);
      }
      Bench.Options options = new Bench.Options(seconds, connections, rate, seconds, requestBytes,
          bulkKib * 1024, pipeline, which);
      Results.StoqReport report = Bench.runStoq(machine, options);
      out.println(json ? mapper.writeValueAsString(report) : Tables.stoq(report));
      return report.scenarios().stream().allMatch(s -> s.error() == null) ? 0 : 1;
    }
  }

  @Command(name = "ca", mixinStandardHelpOptions = true, description = "TrustChain CA: certificates issued and "
      + "logged per second (p99) through the CA entity on Cassandra, against the raw FALCON-1024 sign rate.")
  static final class Ca implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "measured seconds of each run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--concurrency", defaultValue = "64", description = "requests in flight (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--requests", defaultValue = "20000", description = "CSRs prepared before the run (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT", description = "use this Cassandra (default: start one)")
    String cassandra;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CaBench.Report report = CaBench.run(Bench.machine(("./hypermesh bench " + String.join(" ", rawArgs)).trim()),
          new CaBench.Options(seconds, concurrency, requests, cassandra));
      System.out.println(json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report)
          : report.table());
      return report.issuedAndLogged().operations() > 0 ? 0 : 1;
    }
  }

  @Command(name = "ct", mixinStandardHelpOptions = true, description = "TrustChain CT log: durable appends per "
      + "second (p99) through the log entity on Cassandra, against plain Cassandra writes of the same size.")
  static final class Ct implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "measured seconds of each run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--concurrency", defaultValue = "256", description = "appends in flight (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--entry-bytes", defaultValue = "1024", description = "bytes per entry (default ${DEFAULT-VALUE})")
    int entryBytes;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT", description = "use this Cassandra (default: start one)")
    String cassandra;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CtBench.Report report = CtBench.run(Bench.machine(("./hypermesh bench " + String.join(" ", rawArgs)).trim()),
          new CtBench.Options(seconds, concurrency, entryBytes, cassandra));
      System.out.println(json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report)
          : report.table());
      return report.logAppends().operations() > 0 ? 0 : 1;
    }
  }

  @Command(name = "consensus", mixinStandardHelpOptions = true, description = "NKrypt consensus, n = 4 validators on "
      + "Cassandra with real proofs: commit latency at a fixed offered rate, saturation rate, and the baselines that "
      + "bound them (Cassandra writes, FALCON-1024, NKrypt verification).")
  static final class Consensus implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "seconds of the open-loop run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--rate", defaultValue = "1000", description = "offered tx/s of the open-loop run (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--saturation-seconds", description = "seconds of the closed-loop run (default: --seconds)")
    Double saturationSeconds;

    @Option(names = "--saturation-transactions", defaultValue = "20000", description = "transactions proven for the closed-loop run (default ${DEFAULT-VALUE})")
    int saturationTransactions;

    @Option(names = "--window", defaultValue = "4000", description = "closed loop: uncommitted transactions kept in flight (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--batch", defaultValue = "1000", description = "max transactions per block (default ${DEFAULT-VALUE}; about 10 KB each, and a block is one journal row: keep it under Cassandra's 16 MB mutation limit)")
    int batch;

    @Option(names = "--difficulty", defaultValue = "8", description = "hashcash bits (default ${DEFAULT-VALUE})")
    int difficulty;

    @Option(names = "--base-timeout-ms", defaultValue = "2000", description = "round timeout (default ${DEFAULT-VALUE})")
    long baseTimeout;

    @Option(names = "--baseline-seconds", defaultValue = "3", description = "seconds per baseline (default ${DEFAULT-VALUE})")
    double baselineSeconds;

    @Option(names = "--profile", description = "JFR execution samples of the saturation run (consensus-bench-*.jfr), summarised")
    boolean profile;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT", description = "use this Cassandra (default: start one)")
    String cassandra;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      double saturation = saturationSeconds == null ? seconds : saturationSeconds;
      if (seconds <= 0 || seconds > 600 || saturation <= 0 || saturation > 600 || rate < 1 || rate > 100_000
          || saturationTransactions < 1 || saturationTransactions > 1_000_000 || window < 1 || batch < 1
          || batch > 5_000 || difficulty < 0 || difficulty > 20 || baseTimeout < 100 || baselineSeconds <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "out of range: --seconds and "
            + "--saturation-seconds 0..600, --rate 1..100000, --saturation-transactions 1..1000000, --window >= 1, "
            + "--batch 1..5000, --difficulty 0..20, --base-timeout-ms >= 100, --baseline-seconds > 0");
      }
      ConsensusBench.Report report = ConsensusBench.run(
          Bench.machine(("./hypermesh bench " + String.join(" ", rawArgs)).trim()),
          new ConsensusBench.Options(seconds, rate, saturation, saturationTransactions, window, batch, difficulty,
              baseTimeout, baselineSeconds, profile, cassandra));
      System.out.println(json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report)
          : report.table());
      return report.openLoop().committedFirst() > 0 && report.saturation().committedFirst() > 0 ? 0 : 1;
    }
  }

  /** The arguments as given, for the report's "command" line. */
  static String[] rawArgs = new String[0];

  public static void main(String[] args) {
    rawArgs = args.clone();
    int code = new CommandLine(new BenchCli()).execute(args);
    System.out.flush();
    // Netty and JDK threads may linger a moment; the benchmark is over.
    System.exit(code);
  }

}
