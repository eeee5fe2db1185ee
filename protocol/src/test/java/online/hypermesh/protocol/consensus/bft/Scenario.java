package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Builds a 4-validator simulation, runs it, and checks safety and liveness afterwards. */
final class Scenario {

  static final BftConfig CONFIG = new BftConfig(100, 2, 50, 1 << 20, 10_000, 32, 256, 100_000, 16, 40);

  /** Refuses what the four proofs would: a wrong id, or (standing in for a bad proof) 'X'. */
  static final TransactionValidator VALIDATOR = (tx, ctx) -> {
    if (!tx.id().equals(Digest.sha256(tx.body()))) {
      return Verdict.reject("transaction id does not match its body");
    }
    if (tx.body().length > 0 && tx.body()[0] == 'X') {
      return Verdict.reject("PoWork: hashcash below the network difficulty");
    }
    return Verdict.accept();
  };

  final long seed;
  int n = 4;
  Simulation.Network network;
  final Map<Integer, ByzantineReplicas.Kind> byzantine = new HashMap<>();
  long settleMillis = 1200;
  long runAfterSettle = 2000;
  boolean invalidTransactions;
  /** Submit only to this validator (as a node hands its transactions to its own), or -1 for all. */
  int submitOnlyTo = -1;
  long submitEveryMillis = 25;
  long submitUntil = -1;
  final List<Runnable> extraSetup = new ArrayList<>();
  int crashes;
  BftConfig config = CONFIG;
  /** Keys; the fast test scheme unless a test sets real ones. */
  List<byte[]> publicKeys;
  java.util.function.IntFunction<Signer> signers;
  java.util.function.Supplier<SignatureVerifier> verifiers;

  Simulation sim;
  final Simulation.Replica[] replicas;
  final List<HonestReplica> honest = new ArrayList<>();
  final Map<Integer, Long> heightAtSettle = new HashMap<>();
  final Set<Digest> submittedValid = new HashSet<>();
  ValidatorSet set;
  SignatureVerifier verifier;

  Scenario(long seed) {
    this.seed = seed;
    this.replicas = new Simulation.Replica[n];
    this.network = stable();
  }

  static Simulation.Network stable() {
    return new Simulation.Network(0, 0, 1, 10, 10, List.of());
  }

  /** Drops, long delays (reordering) and one or two partitions, then GST at {@code gst}. */
  static Simulation.Network chaotic(Random random, long gst, int n) {
    List<Simulation.Partition> partitions = new ArrayList<>();
    int count = 1 + random.nextInt(2);
    for (int i = 0; i < count; i++) {
      long from = (long) (random.nextDouble() * gst * 0.7);
      long until = from + 100 + (long) (random.nextDouble() * (gst - from));
      int[] groupOf = new int[n];
      for (int v = 0; v < n; v++) {
        groupOf[v] = random.nextInt(2);
      }
      partitions.add(new Simulation.Partition(from, until, groupOf));
    }
    double drop = 0.05 + random.nextDouble() * 0.3;
    long maxDelay = 20 + random.nextInt(150);
    return new Simulation.Network(gst, drop, 1, maxDelay, 5 + random.nextInt(20), partitions);
  }

  Scenario byzantine(int index, ByzantineReplicas.Kind kind) {
    byzantine.put(index, kind);
    return this;
  }

  Scenario network(Simulation.Network network) {
    this.network = network;
    return this;
  }

  long endMillis() {
    return network.gstMillis() + settleMillis + runAfterSettle;
  }

  Scenario run() {
    if (publicKeys == null) {
      TestSignatures keys = new TestSignatures(n, seed);
      publicKeys = keys.publicKeys();
      signers = keys::signer;
      verifiers = keys::verifier;
    }
    set = TestTiming.set("chain-" + seed, publicKeys);
    verifier = verifiers.get();
    for (int i = 0; i < n; i++) {
      ByzantineReplicas.Kind kind = byzantine.get(i);
      if (kind == null) {
        HonestReplica h = new HonestReplica(i, set, config, signers.apply(i), verifiers.get(),
            VALIDATOR);
        honest.add(h);
        replicas[i] = h;
      } else {
        replicas[i] = ByzantineReplicas.create(kind, i, set, config, signers.apply(i),
            verifiers.get(), VALIDATOR);
      }
    }
    sim = new Simulation(seed, network, replicas);
    Random txRandom = new Random(seed * 31 + 7);
    long until = submitUntil >= 0 ? submitUntil : endMillis() - 500;
    for (long t = 5; t < until; t += submitEveryMillis) {
      sim.at(t, () -> submit(txRandom));
    }
    long settle = network.gstMillis() + settleMillis;
    sim.at(settle, () -> {
      for (HonestReplica h : honest) {
        heightAtSettle.put(h.index, h.height());
      }
    });
    extraSetup.forEach(Runnable::run);
    sim.run(endMillis());
    if (Boolean.getBoolean("bft.verbose")) {
      System.out.println(summary());
    }
    return this;
  }

  /**
   * At {@code at}, arms an honest validator to die right after its next persist (before that
   * step's messages leave); at {@code restartAt} it restarts from what it persisted.
   */
  Scenario crashAndRestart(int node, long at, long restartAt) {
    crashes++;
    extraSetup.add(() -> {
      sim.at(at, () -> ((HonestReplica) replicas[node]).dieAfterNextPersist = true);
      sim.at(restartAt, () -> {
        HonestReplica h = (HonestReplica) replicas[node];
        h.dieAfterNextPersist = false;
        if (!sim.isDown(node)) {
          sim.crash(node);
        }
        sim.restart(node);
      });
    });
    return this;
  }

  private void submit(Random random) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      byte[] body = new byte[24 + random.nextInt(40)];
      random.nextBytes(body);
      body[0] = 'T';
      Transaction tx = new Transaction(Digest.sha256(body), body);
      submittedValid.add(tx.id());
      txs.add(tx);
    }
    if (invalidTransactions) {
      byte[] body = new byte[32];
      random.nextBytes(body);
      body[0] = 'X';
      txs.add(new Transaction(Digest.sha256(body), body));
    }
    for (int i = 0; i < n; i++) {
      if (!sim.isDown(i) && (submitOnlyTo < 0 || submitOnlyTo == i)) {
        sim.replica(i).submit(sim, txs);
      }
    }
  }

  /** No two honest validators commit different blocks at one height; nothing unsafe signed. */
  Scenario assertSafe() {
    String where = " (seed " + seed + ", byzantine " + byzantine + ")";
    assertEquals(List.of(), sim.monitor.violations, "double signing" + where);
    for (HonestReplica h : honest) {
      assertEquals(List.of(), h.faults, "faults at validator " + h.index + where);
      Set<Digest> txIds = new HashSet<>();
      for (Block b : h.committed) {
        for (Transaction tx : b.transactions()) {
          assertTrue(VALIDATOR.validate(tx, null).accepted(),
              "invalid transaction committed at validator " + h.index + where);
          assertTrue(txIds.add(tx.id()), "transaction committed twice" + where);
        }
      }
      if (h.lastCertificate != null) {
        CommitCertificate cert = h.lastCertificate;
        assertTrue(cert.verify(set, verifier).accepted(), "commit certificate" + where);
        assertEquals(h.committed.get((int) cert.height() - 1).id(), cert.blockId(),
            "certificate names the committed block" + where);
      }
    }
    for (HonestReplica a : honest) {
      for (HonestReplica b : honest) {
        int common = Math.min(a.committed.size(), b.committed.size());
        for (int i = 0; i < common; i++) {
          assertEquals(a.committed.get(i).id(), b.committed.get(i).id(),
              "validators " + a.index + " and " + b.index + " disagree at height " + (i + 1) + where);
        }
      }
    }
    return this;
  }

  /** Every honest, running validator commits at least {@code blocks} more after the network settles. */
  Scenario assertLive(int blocks) {
    for (HonestReplica h : honest) {
      if (sim.isDown(h.index)) {
        continue;
      }
      long before = heightAtSettle.getOrDefault(h.index, 0L);
      assertTrue(h.height() >= before + blocks, "validator " + h.index + " committed "
          + (h.height() - before) + " blocks after settling (seed " + seed + ", byzantine "
          + byzantine + ", height " + h.height() + ")");
    }
    return this;
  }

  String summary() {
    StringBuilder b = new StringBuilder("seed " + seed + " byzantine " + byzantine + ": ");
    for (HonestReplica h : honest) {
      b.append("v").append(h.index).append(" h=").append(h.height())
          .append(" r=").append(h.core == null ? -1 : h.core.round())
          .append(" settle=").append(heightAtSettle.get(h.index))
          .append(" rej=").append(h.rejectedMessages).append(" ev=").append(h.evidence.size())
          .append(" restarts=").append(h.restarts).append("; ");
    }
    return b.append("delivered ").append(sim.delivered).toString();
  }

  long minHonestHeight() {
    return honest.stream().mapToLong(HonestReplica::height).min().orElse(0);
  }
}
