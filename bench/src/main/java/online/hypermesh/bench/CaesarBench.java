package online.hypermesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code hypermesh bench caesar}: CAES transfers through NKrypt consensus against the plain
 * consensus workload, in one run on one cluster ({@link ValidatorCluster}: 4 validators, real
 * Cassandra, every validator checking the four proofs). The genesis has a Caesar section funding
 * the owner accounts ({@link CaesarTransfers}).
 *
 * <p>Baseline: the same envelopes and proofs from the same sender, with an opaque payload (kind
 * ASSET_REGISTRATION, which ChainState hands up without applying) of the mean size of the CAES
 * payloads, so the difference is the CAES work alone: each validator's precheck (owner signature,
 * owner certificate chain, validity and nonce) before ordering, and the owner signature check and
 * ledger update when the block is applied. CAES: owner-signed TOKEN_TRANSFERs between funded
 * owners, each owner's nonces submitted in order. Each workload runs an open loop at R tx/s, then
 * a closed loop of at most W uncommitted (ConsensusBench's phases, same rate and window). At the
 * end, with the validators stopped, every validator's CaesarState is read and checked.
 */
final class CaesarBench {

  record Options(double seconds, int rate, double saturationSeconds, int saturationTransactions, int window,
                 int batch, int difficulty, long baseTimeoutMillis, int owners, String cassandra) {}

  record Workload(String what, int meanPayloadBytes, ConsensusBench.Proving proving,
                  ConsensusBench.Phase openLoop, ConsensusBench.Phase saturation,
                  long refusedByValidators, Map<String, Long> refusedByReason) {}

  record Report(Results.Machine machine, String loadAverageStart, String loadAverageEnd,
                Map<String, Object> parameters, Workload baseline, Workload caesar,
                Map<String, Double> caesarOverBaseline, CaesarTransfers.Verification verification,
                List<String> problems, String note) {

    String table() {
      StringBuilder b = new StringBuilder(Tables.machine(machine));
      b.append("load:    ").append(loadAverageStart).append(" at start, ").append(loadAverageEnd)
          .append(" at end (1/5/15 min)\n");
      b.append("parameters: ").append(parameters).append("\n\n");
      b.append(String.format(Locale.ROOT, "%-20s %9s %9s %9s %8s %7s | %-34s | %s%n", "", "submitted",
          "committed", "tx/s", "blocks/s", "tx/blk", "first validator p50/p99/p99.9/max ms", "refused"));
      rows(b, "consensus", baseline);
      rows(b, "CAES", caesar);
      b.append('\n');
      for (Workload w : List.of(baseline, caesar)) {
        b.append(String.format(Locale.ROOT, "%s: payload %d B, proving %.0f tx/s (%d threads), %d B per "
                + "transaction; refused %s%n", w.what(), w.meanPayloadBytes(), w.proving().perSecond(),
            w.proving().threads(), w.proving().meanTransactionBytes(), w.refusedByReason()));
      }
      b.append("CAES / consensus: ").append(caesarOverBaseline).append('\n');
      CaesarTransfers.Verification v = verification;
      b.append(String.format(Locale.ROOT, "%nverification (validators stopped): %d transfers submitted, %d "
              + "acknowledged (committed on validator 0), %d applied on every validator, failed %s;%n  "
              + "conservation on every validator: %s; balances and nonces as the acknowledged transfers make "
              + "them: %s; state digests agree at equal heights: %s; heights %s%n  supply on validator 0: %s%n",
          v.submitted(), v.acknowledged(), v.appliedOnEveryValidator(), v.failedByReason(),
          v.conservationHoldsOnEveryValidator(), v.balancesAndNoncesAsExpectedOnEveryValidator(),
          v.stateDigestsAgreeAtEqualHeights(), v.validatorHeights(), v.supplyOnValidator0()));
      if (!problems.isEmpty()) {
        b.append("\nPROBLEMS:\n");
        problems.forEach(p -> b.append("  ").append(p).append('\n'));
      }
      b.append('\n').append(note).append('\n');
      return b.toString();
    }

    private static void rows(StringBuilder b, String name, Workload w) {
      row(b, name + " open loop", w.openLoop(), w.refusedByValidators());
      row(b, name + " saturation", w.saturation(), w.refusedByValidators());
    }

    private static void row(StringBuilder b, String name, ConsensusBench.Phase p, long refused) {
      ConsensusBench.Latency l = p.firstValidator();
      b.append(String.format(Locale.ROOT, "%-20s %9d %9d %9.0f %8.1f %7.1f | %-34s | %d%n", name, p.submitted(),
          p.committedFirst(), p.committedPerSecond(), p.blocksPerSecond(), p.transactionsPerBlock(),
          String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", l.p50Millis(), l.p99Millis(), l.p999Millis(),
              l.maxMillis()), refused));
    }
  }

  @CommandLine.Command(name = "caesar", mixinStandardHelpOptions = true, description = "CAES transfers through "
      + "NKrypt consensus (4 validators on Cassandra, owner-signed, nonces in order): committed transfers/s and "
      + "commit latency, against the plain consensus workload in the same run, and a check of the ledger at the end.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "seconds of each open-loop run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--rate", defaultValue = "200", description = "offered tx/s of the open-loop runs (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--saturation-seconds", description = "seconds of each closed-loop run (default: --seconds)")
    Double saturationSeconds;

    @Option(names = "--saturation-transactions", defaultValue = "2000", description = "transactions proven for each closed-loop run (default ${DEFAULT-VALUE})")
    int saturationTransactions;

    @Option(names = "--window", defaultValue = "2000", description = "closed loop: uncommitted transactions kept in flight (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--batch", defaultValue = "250", description = "max transactions per block (default ${DEFAULT-VALUE}; about 19 KB each, one journal row per block and validator: on a loaded machine 500 made the journal writes time out)")
    int batch;

    @Option(names = "--owners", defaultValue = "64", description = "funded owner accounts sending transfers (default ${DEFAULT-VALUE})")
    int owners;

    @Option(names = "--difficulty", defaultValue = "8", description = "hashcash bits (default ${DEFAULT-VALUE})")
    int difficulty;

    @Option(names = "--base-timeout-ms", defaultValue = "2000", description = "round timeout (default ${DEFAULT-VALUE})")
    long baseTimeout;

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
          || batch > 5_000 || owners < 2 || owners > 10_000 || difficulty < 0 || difficulty > 20
          || baseTimeout < 100) {
        throw new CommandLine.ParameterException(spec.commandLine(), "out of range: --seconds and "
            + "--saturation-seconds 0..600, --rate 1..100000, --saturation-transactions 1..1000000, --window >= 1, "
            + "--batch 1..5000, --owners 2..10000, --difficulty 0..20, --base-timeout-ms >= 100");
      }
      Report report = run(Bench.machine(("./hypermesh bench " + String.join(" ", BenchCli.rawArgs)).trim()),
          new Options(seconds, rate, saturation, saturationTransactions, window, batch, difficulty, baseTimeout,
              owners, cassandra));
      System.out.println(json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report)
          : report.table());
      return report.caesar().saturation().committedFirst() > 0 && report.problems().isEmpty() ? 0 : 1;
    }
  }

  static Report run(Results.Machine machine, Options o) throws Exception {
    String loadStart = ConsensusBench.loadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    List<String> problems = new ArrayList<>();
    ChainParameters params = new ChainParameters(1_000, o.difficulty(), ConsensusBench.LEAF_BYTES, 64,
        ConsensusBench.CHALLENGES, ConsensusBench.FRESHNESS_TICKS, ConsensusBench.TIME_WINDOW_MILLIS, 5_000);
    BftConfig bft = BftConfig.defaults().withBaseTimeoutMillis(o.baseTimeoutMillis())
        .withMaxBatchTransactions(o.batch());
    int openCount = (int) Math.max(1, Math.round(o.rate() * o.seconds()));
    int perWorkload = openCount + o.saturationTransactions();
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("validators", ConsensusBench.VALIDATORS);
    parameters.put("seconds", o.seconds());
    parameters.put("offeredRate", o.rate());
    parameters.put("saturationSeconds", o.saturationSeconds());
    parameters.put("saturationTransactions", o.saturationTransactions());
    parameters.put("saturationWindow", o.window());
    parameters.put("maxBatchTransactions", bft.maxBatchTransactions());
    parameters.put("baseTimeoutMillis", bft.baseTimeoutMillis());
    parameters.put("workDifficultyBits", o.difficulty());
    parameters.put("owners", o.owners());
    parameters.put("caesar", "demurrage 0, block reward " + CaesarTransfers.BLOCK_REWARD + ", owners funded "
        + CaesarTransfers.OWNER_BALANCE + " each");
    parameters.put("network", "in-process receptionist (one ActorSystem)");
    parameters.put("cassandra", o.cassandra() == null ? "started by the benchmark (launcher, 1 GiB heap)" : o.cassandra());

    log("generating FALCON-1024 keys and certificates (" + o.owners() + " owners) ...");
    CaesarTransfers[] holder = new CaesarTransfers[1];
    ValidatorCluster cluster = ValidatorCluster.create("bench caesar CA", params, (ca, senderHex) -> {
      try {
        holder[0] = new CaesarTransfers(ca, (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8::10"),
            o.owners());
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e);
      }
      return holder[0].genesis(senderHex);
    });
    CaesarTransfers transfers = holder[0];
    ConsensusBench.Commits commits = cluster.commits;
    AtomicLong nonces = new AtomicLong();
    Workload baseline;
    Workload caesar;
    CaesarTransfers.Verification verification;
    try (cluster) {
      cluster.start(bft, o.cassandra());
      log("waiting for the first committed block ...");
      BlockTick reference = cluster.awaitFirstBlock(180);

      log("owners signing " + perWorkload + " transfers, then proving both workloads against block "
          + reference.height() + " ...");
      long t0 = System.nanoTime();
      byte[][] payloads = transfers.payloads(cluster.genesis.chainId(), 0, perWorkload, cores);
      long first = nonces.get();
      Validator.SubmittedTransaction[] caesarTxs = ConsensusBench.prove(cluster.prover, reference, nonces,
          perWorkload, cores, TransactionKind.TOKEN_TRANSFER, n -> payloads[(int) (n - first)]);
      ConsensusBench.Proving caesarProving = proving(caesarTxs, cores, t0);
      long payloadSum = 0;
      for (byte[] p : payloads) {
        payloadSum += p.length;
      }
      int meanPayload = (int) (payloadSum / payloads.length);
      byte[] opaque = new byte[meanPayload];
      new java.util.Random(1).nextBytes(opaque);
      long t1 = System.nanoTime();
      Validator.SubmittedTransaction[] plainTxs = ConsensusBench.prove(cluster.prover, reference, nonces,
          perWorkload, cores, TransactionKind.ASSET_REGISTRATION, n -> opaque);
      ConsensusBench.Proving plainProving = proving(plainTxs, cores, t1);

      baseline = workload("consensus (opaque " + meanPayload + " B payload, ASSET_REGISTRATION)", meanPayload,
          plainProving, cluster, plainTxs, openCount, o, problems);
      caesar = workload("CAES (owner-signed TOKEN_TRANSFER)", meanPayload, caesarProving, cluster, caesarTxs,
          openCount, o, problems);
      cluster.stopValidators();
      Thread.sleep(500);
      log("verifying every validator's CAES ledger ...");
      verification = transfers.verify(cluster.states, caesarTxs);
    }
    problems.addAll(commits.problems);
    problems.addAll(verification.mismatches());
    if (verification.acknowledged() < verification.submitted()) {
      problems.add((verification.submitted() - verification.acknowledged()) + " of " + verification.submitted()
          + " CAES transfers were not committed");
    }
    if (!verification.failedByReason().isEmpty()) {
      problems.add("committed CAES transfers failed: " + verification.failedByReason());
    }
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("openLoopCommittedPerSecond", ratio(caesar.openLoop().committedPerSecond(),
        baseline.openLoop().committedPerSecond()));
    ratios.put("openLoopP50", ratio(caesar.openLoop().firstValidator().p50Millis(),
        baseline.openLoop().firstValidator().p50Millis()));
    ratios.put("openLoopP99", ratio(caesar.openLoop().firstValidator().p99Millis(),
        baseline.openLoop().firstValidator().p99Millis()));
    ratios.put("saturationCommittedPerSecond", ratio(caesar.saturation().committedPerSecond(),
        baseline.saturation().committedPerSecond()));
    ratios.put("saturationP99", ratio(caesar.saturation().firstValidator().p99Millis(),
        baseline.saturation().firstValidator().p99Millis()));
    // The machine is shared: the bench JVM's CPU share differs between phases, so also per core it got.
    ratios.put("openLoopCommittedPerBenchCore", ratio(perCore(caesar.openLoop()), perCore(baseline.openLoop())));
    ratios.put("saturationCommittedPerBenchCore", ratio(perCore(caesar.saturation()),
        perCore(baseline.saturation())));
    String note = "Both workloads on the same 4 validators (one JVM, one ActorSystem, in-process receptionist), each "
        + "checking all four proofs of every transaction and persisting to Cassandra before voting; the baseline "
        + "ran first, then CAES. Committed = on the first validator to commit it; latency from the due time (open "
        + "loop) or submission (closed loop). A CAES transfer adds, per validator, the precheck before ordering "
        + "(owner FALCON-1024 signature, owner certificate chain (cached), validity, nonce) and, when applied, the "
        + "owner signature again and the ledger update, plus the block reward and conservation check per block. "
        + "Everything, Cassandra included, shares the machine's " + cores + " cores.";
    return new Report(machine, loadStart, ConsensusBench.loadAverage(), parameters, baseline, caesar, ratios,
        verification, problems, note);
  }

  private static Workload workload(String what, int payloadBytes, ConsensusBench.Proving proving,
      ValidatorCluster cluster, Validator.SubmittedTransaction[] txs, int openCount, Options o, List<String> problems)
      throws InterruptedException {
    ConsensusBench.Commits commits = cluster.commits;
    log(what + ": open loop " + o.rate() + " tx/s for " + o.seconds() + " s ...");
    ConsensusBench.Phase open = ConsensusBench.openLoop(cluster.refs(), commits, txs, openCount, o.rate())
        .at(cluster.status(0));
    drain(commits, what + " open loop", problems);
    log(what + ": saturation, window " + o.window() + " for " + o.saturationSeconds() + " s ...");
    ConsensusBench.Phase saturation = ConsensusBench.closedLoop(cluster.refs(), commits, txs, openCount, o.window(),
        o.saturationSeconds()).at(cluster.status(0));
    drain(commits, what + " saturation", problems);
    if (open.committedFirst() < open.submitted()) {
      problems.add(what + " open loop: " + (open.submitted() - open.committedFirst()) + " of " + open.submitted()
          + " transactions were not committed within the grace period");
    }
    // Refused: a validator's refusal for a transaction that never committed (one refused by a
    // lagging leader but committed from another validator's pool is not counted).
    Map<String, Long> refused = new TreeMap<>();
    long refusedCount = 0;
    ChainState state = cluster.states.get(0);
    for (Validator.SubmittedTransaction t : txs) {
      Digest id = Digest.of(t.id());
      String reason = commits.rejected.get(id);
      boolean committed;
      synchronized (state) {
        committed = state.heightOf(id).isPresent();
      }
      if (reason != null && !committed) {
        refused.merge(reasonKey(reason), 1L, Long::sum);
        refusedCount++;
      }
    }
    return new Workload(what, payloadBytes, proving, open, saturation, refusedCount, refused);
  }

  /** Waits until every submitted transaction committed on all 4 or was refused, at most 120 s. */
  private static void drain(ConsensusBench.Commits commits, String what, List<String> problems)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && outstanding(commits) > 0) {
      Thread.sleep(20);
    }
    long left = outstanding(commits);
    if (left > 0) {
      problems.add(what + ": " + left + " transactions still uncommitted on some validator 120 s after the phase");
    }
  }

  private static long outstanding(ConsensusBench.Commits commits) {
    return commits.pending.keySet().stream().filter(id -> !commits.rejected.containsKey(id)).count();
  }

  /** "PAYLOAD: CAES BAD_NONCE: account ..." -> "PAYLOAD: CAES BAD_NONCE". */
  static String reasonKey(String reason) {
    int a = reason.indexOf(':');
    int b = a < 0 ? -1 : reason.indexOf(':', a + 1);
    String key = b > 0 ? reason.substring(0, b) : reason;
    return key.length() > 60 ? key.substring(0, 60) : key;
  }

  private static ConsensusBench.Proving proving(Validator.SubmittedTransaction[] txs, int threads, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long bytes = 0;
    for (Validator.SubmittedTransaction t : txs) {
      bytes += t.body().length;
    }
    return new ConsensusBench.Proving(txs.length, threads, Results.round(seconds, 3),
        Results.round(txs.length / seconds, 1), (int) (bytes / txs.length));
  }

  /** Committed tx/s per core the bench JVM used during the phase. */
  private static double perCore(ConsensusBench.Phase p) {
    return p.benchProcessCores() <= 0 ? 0 : p.committedPerSecond() / p.benchProcessCores();
  }

  private static Double ratio(double caesar, double baseline) {
    return baseline <= 0 ? null : Results.round(caesar / baseline, 3);
  }

  private static void log(String line) {
    System.err.println("bench caesar: " + line + " (load " + ConsensusBench.loadAverage() + ")");
  }
}
