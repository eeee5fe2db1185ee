package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import online.hypermesh.persistence.JournalSchema;
import online.hypermesh.persistence.cassandra.CassandraExtension;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.BlockTiming;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.ConsensusMessage;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.SafetyState;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.crypto.Falcon;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Four validators in one ActorSystem on the real Cassandra journal and snapshot store (the node's
 * persistence settings from base.conf), finding each other through the receptionist, signing with
 * FALCON-1024. One is stopped mid-run and started again: it recovers its safety state and tip from
 * Cassandra, never signs two different votes for a round, and commits continue.
 */
@ExtendWith(CassandraExtension.class)
class ValidatorCassandraTest {

  private static final int N = 4;
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final List<KeyPair> KEYS = new ArrayList<>();
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    for (int i = 0; i < N; i++) {
      KEYS.add(Falcon.generateKeyPair());
    }
    String keyspace = "validators_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.loglevel = WARNING
            hypermesh.cassandra.keyspace = "%s"
            hypermesh.cassandra.snapshot-keyspace = "%s_snapshot"
            hypermesh.cassandra.contact-points = ["%s"]
            """.formatted(keyspace, keyspace, CassandraExtension.endpoint()))
        .withFallback(ConfigFactory.parseResources("base.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
    testKit = ActorTestKit.create("ValidatorCassandraTest", config);
    JournalSchema.create(Adapter.toClassic(testKit.system()), Duration.ofMinutes(3));
  }

  @AfterAll
  static void shutdown() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  /** Everything a validator sent (decoded), per incarnation-independent index. */
  private final List<ConcurrentLinkedQueue<ConsensusMessage>> sent = new ArrayList<>();
  private final List<Map<Long, Digest>> committed = new ArrayList<>();
  private final List<Set<Digest>> committedTransactions = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
  private final List<ActorRef<Validator.Command>> refs = new ArrayList<>();
  private ValidatorSet set;

  private void chain(String name) {
    List<byte[]> keys = KEYS.stream().map(k -> k.getPublic().getEncoded()).toList();
    set = new ValidatorSet(Digest.sha256(name.getBytes(StandardCharsets.UTF_8)), keys,
        new BlockTiming(new BlockTime(0, Digest.sha256(("tick " + name).getBytes(
            StandardCharsets.UTF_8)), System.currentTimeMillis()), 10, 10_000));
    for (int i = 0; i < N; i++) {
      sent.add(new ConcurrentLinkedQueue<>());
      committed.add(new ConcurrentHashMap<>());
      committedTransactions.add(ConcurrentHashMap.newKeySet());
      refs.add(null);
    }
    for (int i = 0; i < N; i++) {
      start(i);
    }
  }

  private void start(int i) {
    ValidatorSettings settings = new ValidatorSettings(
        // Every vote and timeout waits for its Cassandra write: a round timeout well above a
        // write's latency on a busy machine, or rounds time out faster than quorums form.
        BftConfig.defaults().withBaseTimeoutMillis(1500), set, i,
        new FalconSigner(KEYS.get(i).getPrivate()), new FalconVerifier(),
        (tx, context) -> tx.body().length > 0 ? Verdict.accept() : Verdict.reject("empty body"),
        5);
    ValidatorNetwork.Factory receptionist = ReceptionistNetwork.factory();
    ValidatorNetwork.Factory recording = context -> {
      ValidatorNetwork inner = receptionist.open(context);
      return new ValidatorNetwork() {
        @Override
        public void send(int to, Validator.Deliver message) {
          sent.get(i).add(Codec.decodeMessage(message.message()).value());
          inner.send(to, message);
        }

        @Override
        public void broadcast(Validator.Deliver message) {
          sent.get(i).add(Codec.decodeMessage(message.message()).value());
          inner.broadcast(message);
        }

        @Override
        public void join(ValidatorSet epochSet, int index, boolean follow) {
          inner.join(epochSet, index, follow);
        }

        @Override
        public void leave() {
          inner.leave();
        }
      };
    };
    CommitListener listener = (block, certificate) -> {
      Digest previous = committed.get(i).putIfAbsent(block.height(), block.id());
      if (previous != null) {
        problems.add("validator " + i + " was told height " + block.height() + " twice");
      }
      if (!certificate.verify(set, new FalconVerifier()).accepted()) {
        problems.add("validator " + i + " committed with a certificate that does not verify");
      }
      for (Transaction t : block.transactions()) {
        committedTransactions.get(i).add(t.id());
      }
    };
    refs.set(i, testKit.spawn(Validator.create(settings, recording, listener)));
  }

  private List<Digest> submit(int to, String prefix, int count) {
    List<Validator.SubmittedTransaction> batch = new ArrayList<>();
    List<Digest> ids = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      byte[] body = (prefix + "-" + k).getBytes(StandardCharsets.UTF_8);
      Digest id = Digest.sha256(body);
      ids.add(id);
      batch.add(new Validator.SubmittedTransaction(id.bytes(), body));
    }
    refs.get(to).tell(new Validator.Submit(batch));
    return ids;
  }

  private Validator.Status status(int i) {
    TestProbe<Validator.Status> probe = testKit.createTestProbe();
    refs.get(i).tell(new Validator.GetStatus(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(20));
  }

  private List<Object> journal(int i) throws Exception {
    CassandraReadJournal query = PersistenceQuery.get(Adapter.toClassic(testKit.system()))
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    List<EventEnvelope> envelopes = query.currentEventsByPersistenceId(
            Validator.persistenceId(set.chainId(), i).id(), 0, Long.MAX_VALUE)
        .runWith(Sink.seq(), testKit.system()).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    List<Object> events = new ArrayList<>();
    for (EventEnvelope e : envelopes) {
      events.add(e.event());
    }
    return events;
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (int i = 0; i < N; i++) {
          state.append("\n  validator ").append(i).append(": ").append(committed.get(i).size())
              .append(" heights, ").append(committedTransactions.get(i).size()).append(" txs");
        }
        throw new AssertionError("timed out waiting for " + what + state);
      }
      Thread.sleep(50);
    }
  }

  private boolean allCommitted(List<Integer> validators, List<Digest> ids) {
    return validators.stream().allMatch(i -> committedTransactions.get(i).containsAll(ids));
  }

  @Test
  void aValidatorRestartedFromCassandraKeepsItsSafetyStateAndCommitsContinue() throws Exception {
    chain("cassandra-restart");
    List<Digest> first = submit(0, "before", 8);
    await("the first transactions everywhere", () -> allCommitted(List.of(0, 1, 2, 3), first));
    Validator.Status beforeStop = status(3);
    assertTrue(beforeStop.height() >= 1);

    List<Digest> inFlight = submit(1, "in-flight", 8);
    Thread.sleep(30);
    testKit.stop(refs.get(3), Duration.ofSeconds(20));
    int sentBeforeStop = sent.get(3).size();

    // The journal in Cassandra covers every vote validator 3 sent before it stopped.
    List<Object> events = journal(3);
    SafetyState persisted = null;
    List<Long> journalHeights = new ArrayList<>();
    Map<Long, Digest> untold = new HashMap<>();
    Set<Digest> untoldTransactions = new HashSet<>();
    for (Object event : events) {
      if (event instanceof Validator.SafetyStateChanged s) {
        persisted = Codec.decodeSafetyState(s.safetyState()).value();
      } else if (event instanceof Validator.BlockCommitted c) {
        journalHeights.add(c.height());
        Block block = Codec.decodeBlock(c.block()).value();
        Digest told = committed.get(3).get(c.height());
        // Stopped between a journal write and its callback, the listener was not told the last
        // commits (CommitListener: they are read back from the journal), never told others.
        if (told != null) {
          assertEquals(told, block.id());
        } else {
          untold.put(c.height(), block.id());
          block.transactions().forEach(t -> untoldTransactions.add(t.id()));
        }
        assertEquals(block.time().tickCount(), c.tickCount());
      }
    }
    assertNotNull(persisted, "no safety state in the Cassandra journal");
    long maxVoted = sent.get(3).stream().filter(m -> m instanceof Vote)
        .mapToLong(m -> ((Vote) m).round()).max().orElseThrow();
    assertTrue(persisted.lastVotedRound() >= maxVoted,
        "persisted " + persisted.lastVotedRound() + " < sent vote round " + maxVoted);
    assertFalse(journalHeights.isEmpty());
    long toldTop = committed.get(3).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    assertTrue(untold.keySet().stream().allMatch(h -> h > toldTop),
        "only the last commits may be untold: " + untold + " vs told up to " + toldTop);
    for (int k = 0; k < journalHeights.size(); k++) {
      assertEquals(k + 1, journalHeights.get(k), "journal heights " + journalHeights);
    }

    // Not to validator 2: votes on its blocks go to the next leader, 3, which is down, so its
    // blocks are never certified and its pool never drains (a property of the BFT core).
    List<Digest> whileDown = submit(0, "while-down", 4);
    whileDown.addAll(submit(1, "while-down-too", 4));
    whileDown.addAll(inFlight);
    await("the other three to commit while 3 is down", () -> allCommitted(List.of(0, 1, 2),
        whileDown));
    long othersHeight = status(0).height();
    assertTrue(othersHeight > beforeStop.height());

    start(3);
    Validator.Status recovered = status(3);
    assertTrue(recovered.height() >= beforeStop.height(),
        "recovered at " + recovered.height() + ", had " + beforeStop.height());
    assertTrue(recovered.lastVotedRound() >= persisted.lastVotedRound(),
        "recovered last voted round " + recovered.lastVotedRound() + " < "
            + persisted.lastVotedRound());

    List<Digest> after = submit(0, "after-restart", 8);
    await("validator 3 to catch up and commit new transactions", () ->
        allCommitted(List.of(0, 1, 2, 3), after) && status(3).height() >= othersHeight);
    assertTrue(problems.isEmpty(), problems.toString());
    assertTrue(sent.get(3).size() > sentBeforeStop, "sent nothing after the restart");
    Set<Digest> mineAll = new HashSet<>(committedTransactions.get(3));
    mineAll.addAll(untoldTransactions);
    assertTrue(mineAll.containsAll(whileDown));

    // Agreement at every height, and validator 3 has every height across its two incarnations
    // (told, or journaled before the stop and so not told again).
    long top = status(3).height();
    for (long h = 1; h <= top; h++) {
      Digest mine = committed.get(3).getOrDefault(h, untold.get(h));
      assertNotNull(mine, "validator 3 never committed height " + h);
      for (int i = 0; i < 3; i++) {
        Digest other = committed.get(i).get(h);
        if (other != null) {
          assertEquals(other, mine, "validators " + i + " and 3 at height " + h);
        }
      }
    }

    // Never two different votes for one round: in what it sent, and in what it journaled.
    Map<Long, Set<Digest>> voted = new HashMap<>();
    for (ConsensusMessage m : sent.get(3)) {
      if (m instanceof Vote v) {
        voted.computeIfAbsent(v.round(), r -> new HashSet<>()).add(v.data().blockId());
      }
    }
    Map<Long, Set<Digest>> journaled = new HashMap<>();
    long lastVotedRound = 0;
    for (Object event : journal(3)) {
      if (event instanceof Validator.SafetyStateChanged s) {
        SafetyState state = Codec.decodeSafetyState(s.safetyState()).value();
        assertTrue(state.lastVotedRound() >= lastVotedRound, "last voted round went back");
        lastVotedRound = state.lastVotedRound();
        if (state.lastVote() != null) {
          journaled.computeIfAbsent(state.lastVote().round(), r -> new HashSet<>())
              .add(state.lastVote().data().blockId());
        }
      }
    }
    assertFalse(voted.isEmpty());
    voted.forEach((round, blocks) -> assertEquals(1, blocks.size(),
        "validator 3 voted for " + blocks.size() + " blocks in round " + round));
    journaled.forEach((round, blocks) -> assertEquals(1, blocks.size(),
        "journal holds votes for " + blocks.size() + " blocks in round " + round));
    for (int i = 0; i < N; i++) {
      testKit.stop(refs.get(i), Duration.ofSeconds(20));
    }
  }
}
