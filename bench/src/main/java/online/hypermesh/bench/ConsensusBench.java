package online.hypermesh.bench;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import online.hypermesh.actors.consensus.CommitListener;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.CommitRejectedException;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.NKryptTransactionValidator;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.consensus.proof.TransactionProver;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * {@code hypermesh bench consensus}: n = 4 real {@link Validator}s (FALCON-1024 keys certified by a
 * throwaway CA, journal and snapshots in a Cassandra the bench starts) ordering real NKrypt
 * transactions whose four proofs every validator checks ({@link NKryptTransactionValidator} over
 * its own {@link ChainState}, fed by its commits). The validators find each other through the
 * receptionist in one ActorSystem, so the network hop is an in-process mailbox: no serialization
 * of consensus messages, no TLS, no loopback latency; what it keeps is everything else (Codec
 * encode/decode of every message, signatures, the four proofs, the Cassandra journal write before
 * each vote leaves).
 *
 * <p>Transactions come from one staked sender node with a registered plot, proven before the
 * measured phases against a committed block's tick (the prove rate is reported on its own: it is
 * the sender's cost). Each is submitted to all four validators' pools, as a client would, so
 * whichever leads next can propose it.
 *
 * <p>Phases: an open loop at R tx/s (latency from each transaction's due time to its commit on the
 * first validator and on all four, so a stall counts against every transaction it delays), then a
 * closed loop keeping a window of uncommitted transactions (the saturation rate), then the
 * baselines with the validators stopped: plain Cassandra writes of the mean committed-block row
 * size, FALCON-1024 sign and verify, and NKrypt verification per CPU-second of one thread.
 */
final class ConsensusBench {

  static final int VALIDATORS = 4;
  /** Low hashcash (2^8 SHA-256 for the sender, one for a validator): the bench measures ordering. */
  static final int DEFAULT_DIFFICULTY = 8;
  static final int PLOT_LEAVES = 1024;
  static final int LEAF_BYTES = 64;
  static final int CHALLENGES = 8;
  static final long TICKS_PER_BLOCK = 10;
  /**
   * Transactions are proven before the phases start, against one committed tick, so the freshness
   * window must outlast the run; a network would use minutes of ticks, which only changes how long
   * ids stay in the replay set.
   */
  static final long FRESHNESS_TICKS = 1_000_000_000L;
  static final long TIME_WINDOW_MILLIS = 3_600_000L;

  record Options(double seconds, int rate, double saturationSeconds, int saturationTransactions,
                 int window, int batch, int difficulty, long baseTimeoutMillis,
                 double baselineSeconds, boolean profile, String cassandra) {}

  record Latency(long measured, double p50Millis, double p99Millis, double p999Millis, double maxMillis) {
    static Latency of(LatencyRecorder r) {
      long[] s = r.sorted();
      return new Latency(s.length, ms(LatencyRecorder.percentile(s, 50)), ms(LatencyRecorder.percentile(s, 99)),
          ms(LatencyRecorder.percentile(s, 99.9)), ms(s.length == 0 ? 0 : s[s.length - 1]));
    }
  }

  record Proving(long transactions, int threads, double seconds, double perSecond, int meanTransactionBytes) {}

  record Phase(String what, long submitted, long committedFirst, long committedAll, double seconds,
               double committedPerSecond, double committedAllPerSecond, long blocks, double blocksPerSecond,
               double transactionsPerBlock, Latency firstValidator, Latency allValidators, String note,
               double benchProcessCores, long heightAtEnd, long roundAtEnd) {

    /** With validator 0's height and round after the phase: rounds beyond heights are timed-out rounds. */
    Phase at(Validator.Status s) {
      return new Phase(what, submitted, committedFirst, committedAll, seconds, committedPerSecond,
          committedAllPerSecond, blocks, blocksPerSecond, transactionsPerBlock, firstValidator, allValidators, note,
          benchProcessCores, s == null ? -1 : s.height(), s == null ? -1 : s.round());
    }
  }

  record Baselines(CtBench.Rate cassandraWrites, int cassandraRowBytes, int cassandraConcurrency,
                   double falconSignPerCpuSecond, double falconVerifyPerCpuSecond,
                   double nkryptVerifyPerCpuSecond) {}

  record Report(Results.Machine machine, String loadAverageStart, String loadAverageEnd,
                Map<String, Object> parameters, Proving proving, Phase openLoop, Phase saturation,
                Baselines baselines, Map<String, Double> ratios, JfrProfile.Summary profile,
                List<String> problems, String note) {

    String table() {
      StringBuilder b = new StringBuilder(Tables.machine(machine));
      b.append("load:    ").append(loadAverageStart).append(" at start, ").append(loadAverageEnd)
          .append(" at end (1/5/15 min)\n");
      b.append("parameters: ").append(parameters).append("\n\n");
      b.append(String.format(Locale.ROOT, "proving (sender side, %d threads): %d transactions in %.1f s = %.0f tx/s, "
          + "%d bytes each%n%n", proving.threads(), proving.transactions(), proving.seconds(), proving.perSecond(),
          proving.meanTransactionBytes()));
      b.append(String.format(Locale.ROOT, "%-11s %9s %9s %9s %9s %8s %7s | %-34s | %-34s%n", "", "submitted",
          "committed", "tx/s", "all-4 tx/s", "blocks/s", "tx/blk", "first validator p50/p99/p99.9/max ms",
          "all 4 validators p50/p99/p99.9/max ms"));
      row(b, "open loop", openLoop);
      row(b, "saturation", saturation);
      b.append('\n').append("open loop:  ").append(openLoop.what()).append(' ').append(openLoop.note())
          .append(" Bench JVM used ").append(openLoop.benchProcessCores()).append(" cores.")
          .append(" Validator 0 after it: height ").append(openLoop.heightAtEnd()).append(", round ")
          .append(openLoop.roundAtEnd()).append('\n');
      b.append("saturation: ").append(saturation.what()).append(' ').append(saturation.note())
          .append(" Bench JVM used ").append(saturation.benchProcessCores()).append(" cores.")
          .append(" Validator 0 after it: height ").append(saturation.heightAtEnd()).append(", round ")
          .append(saturation.roundAtEnd()).append(" (rounds beyond heights timed out)\n\n");
      b.append(String.format(Locale.ROOT, "baselines (validators stopped): plain Cassandra INSERT of %d B rows, "
              + "%d in flight: %.0f writes/s (p50 %.0f µs, p99 %.0f µs)%n", baselines.cassandraRowBytes(),
          baselines.cassandraConcurrency(), baselines.cassandraWrites().perSecond(),
          baselines.cassandraWrites().p50Micros(), baselines.cassandraWrites().p99Micros()));
      b.append(String.format(Locale.ROOT, "  per CPU-second of one thread: FALCON-1024 sign %.0f/s, verify %.0f/s, "
              + "NKrypt four-proof verify %.0f tx/s%n", baselines.falconSignPerCpuSecond(),
          baselines.falconVerifyPerCpuSecond(), baselines.nkryptVerifyPerCpuSecond()));
      b.append("ratios: ").append(ratios).append('\n');
      if (profile != null) {
        b.append("\nprofile of the saturation phase (").append(profile.samples()).append(" samples, ")
            .append(profile.file()).append(")\n  by innermost HyperMesh frame, % of samples: ")
            .append(profile.byInnermostHyperMeshFrame()).append("\n  by top frame: ").append(profile.byTopFrame())
            .append('\n');
      }
      if (!problems.isEmpty()) {
        b.append("\nPROBLEMS:\n");
        problems.forEach(p -> b.append("  ").append(p).append('\n'));
      }
      b.append('\n').append(note).append('\n');
      return b.toString();
    }

    private static void row(StringBuilder b, String name, Phase p) {
      b.append(String.format(Locale.ROOT, "%-11s %9d %9d %9.0f %9.0f %8.1f %7.1f | %-34s | %-34s%n", name,
          p.submitted(), p.committedFirst(), p.committedPerSecond(), p.committedAllPerSecond(), p.blocksPerSecond(),
          p.transactionsPerBlock(), lat(p.firstValidator()), lat(p.allValidators())));
    }

    private static String lat(Latency l) {
      return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", l.p50Millis(), l.p99Millis(), l.p999Millis(),
          l.maxMillis());
    }
  }

  /** Per-phase commit bookkeeping, told by the four validators' listeners. */
  static final class Tracking {
    final LatencyRecorder first;
    final LatencyRecorder all;
    final AtomicLong firstCount = new AtomicLong();
    final AtomicLong allCount = new AtomicLong();
    final AtomicLong lastFirstNanos = new AtomicLong();
    final AtomicLong lastAllNanos = new AtomicLong();

    Tracking(int capacity) {
      first = new LatencyRecorder(capacity);
      all = new LatencyRecorder(capacity);
    }
  }

  record Pending(long dueNanos, Tracking tracking, AtomicInteger commits) {}

  /** What the validators' commit listeners share with the load generator. */
  static final class Commits {
    final ConcurrentHashMap<Digest, Pending> pending = new ConcurrentHashMap<>();
    final AtomicReference<BlockTick> latest = new AtomicReference<>();
    final AtomicLong blocks = new AtomicLong();
    final AtomicLong transactions = new AtomicLong();
    final ConcurrentLinkedQueue<Block> sampled = new ConcurrentLinkedQueue<>();
    final AtomicReference<CommitCertificate> sampledCertificate = new AtomicReference<>();
    volatile boolean sampling;
    final List<String> problems = new CopyOnWriteArrayList<>();

    /** Refusals by transaction id: the first validator's reason (from its pool or a proposal). */
    final ConcurrentHashMap<Digest, String> rejected = new ConcurrentHashMap<>();

    CommitListener listener(int validator, ChainState state) {
      return new CommitListener() {
        @Override
        public void rejected(Digest transactionId, Digest blockId, String reason) {
          if (pending.containsKey(transactionId)) {
            rejected.putIfAbsent(transactionId, reason);
          }
        }

        @Override
        public void committed(Block block, CommitCertificate certificate) {
          onCommit(validator, state, block, certificate);
        }
      };
    }

    private void onCommit(int validator, ChainState state, Block block, CommitCertificate certificate) {
      try {
        // Locked so a bench can read the state at the end (the validator's thread applies it).
        synchronized (state) {
          state.apply(block, certificate);
        }
      } catch (CommitRejectedException e) {
        if (problems.size() < 20) {
          problems.add("validator " + validator + ": its chain state refused committed block " + block.height()
              + ": " + e.getMessage());
        }
      }
      long now = System.nanoTime();
      if (validator == 0) {
        BlockTime t = block.time();
        latest.set(new BlockTick(block.height(), t.tickCount(), t.tickHash().bytes(), block.id().bytes(),
            t.timestampMillis()));
        blocks.incrementAndGet();
        transactions.addAndGet(block.transactions().size());
        if (sampling && !block.transactions().isEmpty() && sampled.size() < 16) {
          sampled.add(block);
          sampledCertificate.set(certificate);
        }
      }
      for (var tx : block.transactions()) {
        Pending p = pending.get(tx.id());
        if (p == null) {
          continue;
        }
        int n = p.commits().incrementAndGet();
        Tracking t = p.tracking();
        if (n == 1) {
          t.first.record(now - p.dueNanos());
          t.firstCount.incrementAndGet();
          t.lastFirstNanos.accumulateAndGet(now, Math::max);
        } else if (n == VALIDATORS) {
          t.all.record(now - p.dueNanos());
          t.allCount.incrementAndGet();
          t.lastAllNanos.accumulateAndGet(now, Math::max);
          pending.remove(tx.id());
        }
      }
    }
  }

  static Report run(Results.Machine machine, Options o) throws Exception {
    String loadStart = loadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    List<String> problems = new ArrayList<>();
    ChainParameters params = new ChainParameters(1_000, o.difficulty(), LEAF_BYTES, 64, CHALLENGES,
        FRESHNESS_TICKS, TIME_WINDOW_MILLIS, 5_000);
    BftConfig bft = BftConfig.defaults().withBaseTimeoutMillis(o.baseTimeoutMillis())
        .withMaxBatchTransactions(o.batch());
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("validators", VALIDATORS);
    parameters.put("seconds", o.seconds());
    parameters.put("offeredRate", o.rate());
    parameters.put("saturationSeconds", o.saturationSeconds());
    parameters.put("saturationTransactions", o.saturationTransactions());
    parameters.put("saturationWindow", o.window());
    parameters.put("maxBatchTransactions", bft.maxBatchTransactions());
    parameters.put("baseTimeoutMillis", bft.baseTimeoutMillis());
    parameters.put("idleProposalDelayMillis", bft.idleProposalDelayMillis());
    parameters.put("workDifficultyBits", o.difficulty());
    parameters.put("plot", PLOT_LEAVES + " leaves x " + LEAF_BYTES + " B, " + CHALLENGES + " challenges");
    parameters.put("ticksPerBlock", TICKS_PER_BLOCK);
    parameters.put("network", "in-process receptionist (one ActorSystem)");
    parameters.put("cassandra", o.cassandra() == null ? "started by the benchmark (launcher, 1 GiB heap)" : o.cassandra());

    // Keys: a throwaway CA certifies the validators and the sender, as the consensus tests do.
    log("generating FALCON-1024 keys and certificates ...");
    ValidatorCluster cluster = ValidatorCluster.create("bench consensus CA", params, null);
    Genesis genesis = cluster.genesis;
    NodeLocalCa ca = cluster.ca;
    TransactionProver prover = cluster.prover;
    AtomicLong nonces = new AtomicLong();

    Commits commits = cluster.commits;
    JfrProfile.Summary profile = null;
    Proving proving;
    Phase open;
    Phase saturation;
    int rowBytes;
    try (cluster) {
      cluster.start(bft, o.cassandra());
      CtBench.Env env = cluster.env();
      List<ActorRef<Validator.Command>> refs = cluster.refs();

      log("waiting for the first committed block ...");
      BlockTick reference = cluster.awaitFirstBlock(180);

      int openCount = (int) Math.max(1, Math.round(o.rate() * o.seconds()));
      int total = openCount + o.saturationTransactions();
      log("proving " + total + " transactions against block " + reference.height() + " ...");
      long proveStart = System.nanoTime();
      Validator.SubmittedTransaction[] prepared = prove(prover, reference, nonces, total, cores);
      double proveSeconds = (System.nanoTime() - proveStart) / 1e9;
      long bytes = 0;
      for (Validator.SubmittedTransaction t : prepared) {
        bytes += t.body().length;
      }
      proving = new Proving(total, cores, round3(proveSeconds), round1(total / proveSeconds), (int) (bytes / total));

      log("open loop: " + o.rate() + " tx/s for " + o.seconds() + " s ...");
      open = openLoop(refs, commits, prepared, openCount, o.rate()).at(cluster.status(0));
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!commits.pending.isEmpty() && System.nanoTime() < drainDeadline) {
        Thread.sleep(20);
      }
      if (!commits.pending.isEmpty()) {
        problems.add(commits.pending.size() + " open-loop transactions still uncommitted on some validator "
            + "when the saturation run started (after a further 120 s)");
      }
      log("saturation: window " + o.window() + " for " + o.saturationSeconds() + " s ...");
      JfrProfile recorder = o.profile() ? new JfrProfile(Path.of("consensus-bench-"
          + System.currentTimeMillis() + ".jfr")) : null;
      commits.sampling = true;
      saturation = closedLoop(refs, commits, prepared, openCount, o.window(), o.saturationSeconds())
          .at(cluster.status(0));
      commits.sampling = false;
      if (recorder != null) {
        profile = recorder.stop();
        recorder.close();
      }
      cluster.stopValidators();
      rowBytes = rowBytes(commits);
      Thread.sleep(500);

      log("baseline: plain Cassandra writes of " + rowBytes + " B ...");
      env.session.execute("CREATE TABLE IF NOT EXISTS " + env.keyspace
          + ".bench_block_rows (id bigint PRIMARY KEY, row blob)");
      PreparedStatement insert = env.session.prepare("INSERT INTO " + env.keyspace
          + ".bench_block_rows (id, row) VALUES (?, ?)");
      byte[] template = new byte[rowBytes];
      new java.util.Random(1).nextBytes(template);
      CtBench.Rate writes = CtBench.closedLoop(VALIDATORS, o.baselineSeconds(), i -> env.session.executeAsync(
          insert.bind(i, ByteBuffer.wrap(CtBench.entry(template, i)))));

      log("baseline: FALCON-1024 and NKrypt verification per CPU-second ...");
      Baselines baselines = cryptoBaselines(genesis, ca, prover, nonces, writes, rowBytes, o.baselineSeconds());
      problems.addAll(commits.problems);
      if (open.committedFirst() < open.submitted()) {
        problems.add("open loop: " + (open.submitted() - open.committedFirst()) + " of " + open.submitted()
            + " transactions were not committed within the grace period");
      }
      Map<String, Double> ratios = ratios(open, saturation, baselines, cores);
      String note = "n = 4 validators in one JVM and one ActorSystem (in-process receptionist: no serialization, "
          + "TLS or socket between them), each checking all four proofs of every transaction against its own "
          + "ChainState and persisting its safety state (and commits) in Cassandra before any vote, timeout or "
          + "proposal leaves; everything, Cassandra included, shares the machine's " + cores + " cores. Latency is "
          + "from each transaction's due time to its commit (first validator = the first of the four to commit "
          + "it). The verify ceiling is cores x NKrypt verifications per CPU-second / 4 (every validator checks "
          + "every transaction). Targets: p99 < 5 ms at 1,000 tx/s offered; >= 5,000 committed tx/s.";
      return new Report(machine, loadStart, loadAverage(), parameters, proving, open, saturation, baselines, ratios,
          profile, problems, note);
    }
  }

  /** Fully proven token transfers against {@code reference}, on {@code threads} threads. */
  static Validator.SubmittedTransaction[] prove(TransactionProver prover, BlockTick reference, AtomicLong nonces,
      int count, int threads) throws Exception {
    return prove(prover, reference, nonces, count, threads, TransactionKind.TOKEN_TRANSFER,
        nonce -> ("bench transfer #" + nonce).getBytes(StandardCharsets.UTF_8));
  }

  /** Transactions of {@code kind} carrying {@code payload(i)} (i = 0..count-1), proven in parallel. */
  static Validator.SubmittedTransaction[] prove(TransactionProver prover, BlockTick reference, AtomicLong nonces,
      int count, int threads, TransactionKind kind, java.util.function.LongFunction<byte[]> payload)
      throws Exception {
    Validator.SubmittedTransaction[] out = new Validator.SubmittedTransaction[count];
    long first = nonces.getAndAdd(count);
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      pool.submit(() -> IntStream.range(0, count).parallel().forEach(i -> {
        long nonce = first + i;
        Transaction tx = prover.prove(kind, payload.apply(nonce), nonce, reference.timestampMillis() + 1, null,
            reference);
        out[i] = new Validator.SubmittedTransaction(tx.id(), TransactionCodec.encode(tx));
      })).get();
    } finally {
      pool.shutdown();
    }
    return out;
  }

  private static void submit(List<ActorRef<Validator.Command>> refs, List<Validator.SubmittedTransaction> batch) {
    Validator.Submit submit = new Validator.Submit(List.copyOf(batch));
    for (ActorRef<Validator.Command> ref : refs) {
      ref.tell(submit);
    }
  }

  /** Transaction i is due at start + i / rate; all due ones go out together, timed from their due time. */
  static Phase openLoop(List<ActorRef<Validator.Command>> refs, Commits commits,
      Validator.SubmittedTransaction[] prepared, int count, int rate) throws InterruptedException {
    Tracking tracking = new Tracking(count);
    long blocks0 = commits.blocks.get();
    long txs0 = commits.transactions.get();
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long cpu0 = processCpuNanos();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    int next = 0;
    List<Validator.SubmittedTransaction> batch = new ArrayList<>();
    while (next < count) {
      long now = System.nanoTime();
      int due = now < start ? 0 : (int) Math.min(count, (now - start) / interval + 1);
      if (due <= next) {
        LockSupport.parkNanos(start + next * interval - now);
        continue;
      }
      batch.clear();
      for (int k = next; k < due; k++) {
        commits.pending.put(Digest.of(prepared[k].id()),
            new Pending(start + k * interval, tracking, new AtomicInteger()));
        batch.add(prepared[k]);
      }
      submit(refs, batch);
      next = due;
    }
    long submitEnd = System.nanoTime();
    awaitAll(tracking, count, 60);
    double seconds = (submitEnd - start) / 1e9;
    return phase("open loop at " + rate + " tx/s for " + round3(seconds) + " s, each transaction to all 4 pools;",
        count, tracking, start, commits, blocks0, txs0, cpu0,
        "committed tx/s = committed / (last commit - start); percentiles over the committed ones only.");
  }

  /** Keeps {@code window} transactions submitted but not yet committed anywhere, for {@code seconds}. */
  static Phase closedLoop(List<ActorRef<Validator.Command>> refs, Commits commits,
      Validator.SubmittedTransaction[] prepared, int from, int window, double seconds) throws InterruptedException {
    int available = prepared.length - from;
    Tracking tracking = new Tracking(available);
    long blocks0 = commits.blocks.get();
    long txs0 = commits.transactions.get();
    long cpu0 = processCpuNanos();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    int next = 0;
    List<Validator.SubmittedTransaction> batch = new ArrayList<>();
    while (System.nanoTime() < end && next < available) {
      long outstanding = next - tracking.firstCount.get();
      if (outstanding >= window) {
        LockSupport.parkNanos(200_000);
        continue;
      }
      int k = (int) Math.min(Math.min(window - outstanding, 500), available - next);
      batch.clear();
      long now = System.nanoTime();
      for (int j = 0; j < k; j++) {
        Validator.SubmittedTransaction t = prepared[from + next + j];
        commits.pending.put(Digest.of(t.id()), new Pending(now, tracking, new AtomicInteger()));
        batch.add(t);
      }
      submit(refs, batch);
      next += k;
    }
    boolean ranOut = next >= available;
    awaitAll(tracking, next, 120);
    return phase("closed loop, at most " + window + " transactions uncommitted, "
        + (ranOut ? "all " + available + " prepared transactions submitted" : "submitting for " + seconds + " s") + ";",
        next, tracking, start, commits, blocks0, txs0, cpu0,
        "tx/s = committed / (last commit - start), the drain included; latency from submission.");
  }

  private static void awaitAll(Tracking tracking, long count, int graceSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
    while (tracking.allCount.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  private static Phase phase(String what, long submitted, Tracking t, long start, Commits commits, long blocks0,
      long txs0, long cpu0, String note) {
    double cores = (processCpuNanos() - cpu0) / Math.max(1.0, System.nanoTime() - start);
    long blocks = commits.blocks.get() - blocks0;
    long txs = commits.transactions.get() - txs0;
    double firstSeconds = Math.max(1e-9, (t.lastFirstNanos.get() - start) / 1e9);
    double allSeconds = Math.max(1e-9, (t.lastAllNanos.get() - start) / 1e9);
    long firstCount = t.firstCount.get();
    return new Phase(what, submitted, firstCount, t.allCount.get(), round3(firstSeconds),
        round1(firstCount == 0 ? 0 : firstCount / firstSeconds),
        round1(t.allCount.get() == 0 ? 0 : t.allCount.get() / allSeconds), blocks,
        round1(firstCount == 0 ? 0 : blocks / firstSeconds), round1(blocks == 0 ? 0 : (double) txs / blocks),
        Latency.of(t.first), Latency.of(t.all), note, round3(cores), -1, -1);
  }

  /** Mean journal row of a committed block with transactions: the block and its certificate, encoded. */
  private static int rowBytes(Commits commits) {
    long sum = 0;
    int n = 0;
    CommitCertificate certificate = commits.sampledCertificate.get();
    int certificateBytes = certificate == null ? 0 : Codec.encode(certificate).length;
    for (Block b : commits.sampled) {
      sum += Codec.encode(b).length + certificateBytes;
      n++;
    }
    return n == 0 ? 1024 : (int) (sum / n);
  }

  private static Baselines cryptoBaselines(Genesis genesis, NodeLocalCa ca, TransactionProver prover,
      AtomicLong nonces, CtBench.Rate writes, int rowBytes, double seconds) throws Exception {
    var keys = Falcon.generateKeyPair();
    byte[] message = new byte[64];
    byte[] signature = Falcon.sign(keys.getPrivate(), message);
    double sign = CryptoBaseline.rate(seconds, () -> Falcon.sign(keys.getPrivate(), message));
    double verify = CryptoBaseline.rate(seconds, () -> {
      if (!Falcon.verify(keys.getPublic(), signature, message)) {
        throw new IllegalStateException("baseline signature does not verify");
      }
    });
    // The validators' own check, against a fresh genesis state that never commits these (no replay).
    ChainState state = ChainState.genesis(genesis);
    NKryptTransactionValidator validator = new NKryptTransactionValidator(state,
        new CertificateVerifier(ca.certificate(), Set.of()), null, Clock.systemUTC());
    Validator.SubmittedTransaction[] txs = prove(prover, genesis.genesisTick(), nonces, 64, 2);
    List<online.hypermesh.protocol.consensus.bft.Transaction> wire = new ArrayList<>();
    for (Validator.SubmittedTransaction t : txs) {
      wire.add(new online.hypermesh.protocol.consensus.bft.Transaction(Digest.of(t.id()), t.body()));
    }
    var context = new TransactionValidator.BlockContext(1, 1, genesis.validatorSet().genesisId(), 1);
    int[] i = {0};
    double nkrypt = CryptoBaseline.rate(seconds, () -> {
      var v = validator.validate(wire.get(i[0]++ % wire.size()), context);
      if (v.rejected()) {
        throw new IllegalStateException("baseline transaction refused: " + v.reason());
      }
    });
    return new Baselines(writes, rowBytes, VALIDATORS, round1(sign), round1(verify), round1(nkrypt));
  }

  private static Map<String, Double> ratios(Phase open, Phase saturation, Baselines b, int cores) {
    Map<String, Double> r = new LinkedHashMap<>();
    r.put("openLoopP99OverTarget5ms", round3(open.firstValidator().p99Millis() / 5.0));
    r.put("saturationOverTarget5000", round3(saturation.committedPerSecond() / 5000.0));
    double verifyCeiling = cores * b.nkryptVerifyPerCpuSecond() / VALIDATORS;
    r.put("verifyCeilingTxPerSecond", round1(verifyCeiling));
    r.put("saturationOverVerifyCeiling", round3(saturation.committedPerSecond() / Math.max(1e-9, verifyCeiling)));
    // Each round every validator persists once (its vote's safety state, with any commits) before voting.
    double journalWrites = VALIDATORS * saturation.blocksPerSecond();
    r.put("saturationJournalWritesPerSecond", round1(journalWrites));
    r.put("journalWritesOverPlainCassandra", round3(journalWrites / Math.max(1e-9, b.cassandraWrites().perSecond())));
    r.put("committedTxPerJournalWrite", round1(saturation.committedPerSecond() / Math.max(1e-9, journalWrites)));
    // Per block: a proposal and 4 votes signed; each validator verifies about 3 votes' and the proposal's
    // signatures plus 2 FALCON verifies (chain + stake) per transaction.
    double signsPerSecond = 5 * saturation.blocksPerSecond();
    r.put("consensusSignsOverOneCoreSignRate", round3(signsPerSecond / Math.max(1e-9, b.falconSignPerCpuSecond())));
    return r;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static void log(String line) {
    System.err.println("bench consensus: " + line + " (load " + loadAverage() + ")");
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }

  private static double round1(double v) {
    return Results.round(v, 1);
  }

  private static double round3(double v) {
    return Results.round(v, 3);
  }
}
