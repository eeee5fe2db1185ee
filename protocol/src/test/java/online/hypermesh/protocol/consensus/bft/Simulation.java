package online.hypermesh.protocol.consensus.bft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic in-memory network of validators on virtual time. One seeded {@link Random}
 * decides every delay, drop and reordering, so a seed replays a schedule exactly. Before the
 * global stabilisation time (GST) messages are dropped, delayed and cut by partitions; after it
 * every message arrives within a bounded delay. Messages travel as bytes through {@link Codec}.
 */
final class Simulation {

  /** What runs at each validator: an honest {@link BftCore} host or a misbehaving one. */
  interface Replica {
    void start(Simulation sim);

    void deliver(Simulation sim, int from, byte[] bytes);

    void timer(Simulation sim, long round);

    void submit(Simulation sim, List<Transaction> txs);

    default void proposalDue(Simulation sim, long round) {}

    /** Forget all volatile state; the persisted state survives. */
    default void crash() {}
  }

  /** The network's behaviour. Partitions apply before GST only. */
  record Network(long gstMillis, double dropRate, long minDelay, long maxDelay,
      long stableMaxDelay, List<Partition> partitions) {}

  /** Between {@code from} and {@code until}, only validators in the same group talk. */
  record Partition(long from, long until, int[] groupOf) {
    boolean cuts(int a, int b, long now) {
      return now >= from && now < until && groupOf[a] != groupOf[b];
    }
  }

  private sealed interface Event {}

  private record Deliver(int to, int from, byte[] bytes) implements Event {}

  private record Fire(int node, int incarnation, long round, boolean proposal) implements Event {}

  private record Action(Runnable run) implements Event {}

  private record Scheduled(long time, long seq, Event event) {}

  final Random random;
  final Network network;
  final Monitor monitor = new Monitor();
  private final Replica[] replicas;
  private final boolean[] down;
  private final int[] incarnation;
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>((a, b) ->
      a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;
  long delivered;

  Simulation(long seed, Network network, Replica[] replicas) {
    this.random = new Random(seed);
    this.network = network;
    this.replicas = replicas;
    this.down = new boolean[replicas.length];
    this.incarnation = new int[replicas.length];
  }

  int size() {
    return replicas.length;
  }

  long now() {
    return now;
  }

  Replica replica(int i) {
    return replicas[i];
  }

  boolean isDown(int i) {
    return down[i];
  }

  void at(long time, Runnable action) {
    schedule(time, new Action(action));
  }

  private void schedule(long time, Event event) {
    queue.add(new Scheduled(Math.max(time, now), seq++, event));
  }

  void send(int from, int to, byte[] bytes) {
    if (down[from] || from == to) {
      return;
    }
    long delay;
    if (now < network.gstMillis()) {
      for (Partition p : network.partitions()) {
        if (p.cuts(from, to, now)) {
          return;
        }
      }
      if (random.nextDouble() < network.dropRate()) {
        return;
      }
      delay = network.minDelay()
          + (long) (random.nextDouble() * (network.maxDelay() - network.minDelay() + 1));
    } else {
      delay = 1 + (long) (random.nextDouble() * network.stableMaxDelay());
    }
    schedule(now + delay, new Deliver(to, from, bytes));
  }

  void broadcast(int from, byte[] bytes) {
    for (int to = 0; to < replicas.length; to++) {
      if (to != from) {
        send(from, to, bytes);
      }
    }
  }

  void setTimer(int node, long round, long delay) {
    schedule(now + delay, new Fire(node, incarnation[node], round, false));
  }

  void setProposalTimer(int node, long round, long delay) {
    schedule(now + delay, new Fire(node, incarnation[node], round, true));
  }

  void crash(int node) {
    down[node] = true;
    incarnation[node]++;
    replicas[node].crash();
  }

  void restart(int node) {
    down[node] = false;
    replicas[node].start(this);
  }

  void run(long untilMillis) {
    for (int i = 0; i < replicas.length; i++) {
      final int node = i;
      at(0, () -> replicas[node].start(this));
    }
    while (!queue.isEmpty() && queue.peek().time <= untilMillis) {
      Scheduled s = queue.poll();
      now = s.time;
      Event e = s.event;
      if (e instanceof Deliver d) {
        if (!down[d.to()]) {
          delivered++;
          replicas[d.to()].deliver(this, d.from(), d.bytes());
        }
      } else if (e instanceof Fire f) {
        if (!down[f.node()] && f.incarnation() == incarnation[f.node()]) {
          if (f.proposal()) {
            replicas[f.node()].proposalDue(this, f.round());
          } else {
            replicas[f.node()].timer(this, f.round());
          }
        }
      } else if (e instanceof Action a) {
        a.run().run();
      }
    }
    now = untilMillis;
  }

  /** Watches what honest validators sign: one vote and one proposal per round, ever. */
  static final class Monitor {
    private final Map<Long, Digest> votes = new HashMap<>();
    private final Map<Long, Digest> proposals = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    int votesSeen;

    void honestSent(int node, ConsensusMessage message) {
      if (message instanceof Vote v) {
        votesSeen++;
        check(votes, "vote", v.voter(), v.round(), v.data().blockId());
      } else if (message instanceof Proposal p) {
        check(proposals, "proposal", p.block().proposer(), p.round(), p.block().id());
      }
    }

    private void check(Map<Long, Digest> seen, String what, int signer, long round, Digest id) {
      long key = round * 4096 + signer;
      Digest prior = seen.putIfAbsent(key, id);
      if (prior != null && !prior.equals(id)) {
        violations.add("honest validator " + signer + " signed two " + what + "s in round " + round
            + ": " + prior + " and " + id);
      }
    }
  }
}
