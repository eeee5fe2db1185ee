package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.BlockTiming;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.ConsensusMessage;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.Proposal;
import online.hypermesh.protocol.consensus.bft.SafetyState;
import online.hypermesh.protocol.consensus.bft.Timeout;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.crypto.Falcon;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Four validators in one ActorSystem on the persistence testkit's in-memory journal (events and
 * snapshots serialized through Kryo), finding each other through the receptionist, signing with
 * real FALCON-1024 keys.
 */
class ValidatorTest {

  private static final int N = 4;
  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local\n"
              + "pekko.actor.serialize-messages = on\n"
              + "pekko.persistence.testkit.events.serialize = on\n"
              + "pekko.persistence.testkit.snapshots.serialize = on\n"))
          .withFallback(ConfigFactory.load()));
  private static final List<KeyPair> KEYS = new ArrayList<>();

  @BeforeAll
  static void keys() {
    for (int i = 0; i < N; i++) {
      KEYS.add(Falcon.generateKeyPair());
    }
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** One chain: its validators, what each sent (across incarnations) and what each committed. */
  private static final class Chain {
    final ValidatorSet set;
    final BftConfig config = BftConfig.defaults().withBaseTimeoutMillis(400);
    final List<ConcurrentLinkedQueue<ConsensusMessage>> sent = new ArrayList<>();
    final List<Map<Long, Digest>> committed = new ArrayList<>();
    final List<Set<Digest>> committedTransactions = new ArrayList<>();
    final List<ConcurrentLinkedQueue<CommitCertificate>> certificates = new ArrayList<>();
    final List<ActorRef<Validator.Command>> refs = new ArrayList<>();
    /** Filled on validator threads, where a failed assertion would only crash the actor. */
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    Chain(String name) {
      List<byte[]> publicKeys = KEYS.stream().map(k -> k.getPublic().getEncoded()).toList();
      set = new ValidatorSet(Digest.sha256(name.getBytes(StandardCharsets.UTF_8)), publicKeys,
          new BlockTiming(new BlockTime(0, Digest.sha256(("tick " + name).getBytes(
              StandardCharsets.UTF_8)), 0), 10, 10_000));
      for (int i = 0; i < N; i++) {
        sent.add(new ConcurrentLinkedQueue<>());
        committed.add(new ConcurrentHashMap<>());
        committedTransactions.add(ConcurrentHashMap.newKeySet());
        certificates.add(new ConcurrentLinkedQueue<>());
        refs.add(null);
      }
      for (int i = 0; i < N; i++) {
        start(i);
      }
    }

    void start(int i) {
      ValidatorSettings settings = new ValidatorSettings(config, set, i,
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
        for (Transaction t : block.transactions()) {
          committedTransactions.get(i).add(t.id());
        }
        certificates.get(i).add(certificate);
      };
      refs.set(i, testKit.spawn(Validator.create(settings, recording, listener)));
    }

    void stop(int i) {
      testKit.stop(refs.get(i), Duration.ofSeconds(10));
    }

    List<Digest> submit(int to, String prefix, int count) {
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

    Validator.Status status(int i) {
      TestProbe<Validator.Status> probe = testKit.createTestProbe();
      refs.get(i).tell(new Validator.GetStatus(probe.ref()));
      return probe.receiveMessage(Duration.ofSeconds(10));
    }

    /** Every pair of validators agrees on every height both committed. */
    void assertAgreement() {
      assertTrue(problems.isEmpty(), problems.toString());
      for (int a = 0; a < N; a++) {
        for (int b = a + 1; b < N; b++) {
          for (Map.Entry<Long, Digest> e : committed.get(a).entrySet()) {
            Digest other = committed.get(b).get(e.getKey());
            if (other != null) {
              assertEquals(e.getValue(), other, "validators " + a + " and " + b
                  + " committed different blocks at height " + e.getKey());
            }
          }
        }
      }
    }
  }

  private static void await(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void fourValidatorsCommitTheSameBlocksWithCheckableCertificates() throws Exception {
    Chain chain = new Chain("four-validators");
    List<Digest> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ids.addAll(chain.submit(i, "tx-from-" + i, 5));
    }
    await("every validator to commit all 20 transactions", Duration.ofSeconds(60), () ->
        chain.committedTransactions.stream().allMatch(c -> c.containsAll(ids)));
    chain.assertAgreement();

    FalconVerifier verifier = new FalconVerifier();
    for (int i = 0; i < N; i++) {
      Map<Long, Digest> mine = chain.committed.get(i);
      long top = mine.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      for (long h = 1; h <= top; h++) {
        assertNotNull(mine.get(h), "validator " + i + " skipped height " + h);
      }
      Validator.Status status = chain.status(i);
      assertTrue(status.height() >= top, "status height " + status.height() + " < " + top);
      assertArrayEquals(mine.get(status.height()).bytes(), status.lastBlockId());
      assertTrue(status.round() > status.height(), "round " + status.round());
      for (CommitCertificate certificate : chain.certificates.get(i)) {
        Verdict verdict = certificate.verify(chain.set, verifier);
        assertTrue(verdict.accepted(), verdict.reason());
        assertEquals(mine.get(certificate.height()), certificate.blockId());
      }
    }

    // The journal holds the chain: one BlockCommitted per height, in order.
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    List<Long> heights = new ArrayList<>();
    for (Object event : journal.persistedInStorage(
        Validator.persistenceId(chain.set.chainId(), 0).id())) {
      if (event instanceof Validator.BlockCommitted c) {
        heights.add(c.height());
        Block block = Codec.decodeBlock(c.block()).value();
        assertEquals(chain.committed.get(0).get(c.height()), block.id());
      }
    }
    for (int k = 0; k < heights.size(); k++) {
      assertEquals(k + 1, heights.get(k));
    }
    assertFalse(heights.isEmpty());
    for (int i = 0; i < N; i++) {
      chain.stop(i);
    }
  }

  @Test
  void undecodableMessagesAreDroppedAndTheValidatorKeepsServing() throws Exception {
    Chain chain = new Chain("garbage");
    chain.refs.get(1).tell(new Validator.Deliver(2, 0, 0, new byte[] {1, 99, 0}, null));
    chain.refs.get(1).tell(new Validator.Deliver(7, 0, 0, new byte[0], null));
    List<Digest> ids = chain.submit(1, "after-garbage", 3);
    await("commit after garbage", Duration.ofSeconds(60), () ->
        chain.committedTransactions.stream().allMatch(c -> c.containsAll(ids)));
    chain.assertAgreement();
    for (int i = 0; i < N; i++) {
      chain.stop(i);
    }
  }

  @Test
  void aRestartedValidatorRecoversFromItsJournalNeverVotesTwiceAndCatchesUp() throws Exception {
    Chain chain = new Chain("restart");
    List<Digest> first = chain.submit(0, "before", 8);
    await("the first transactions everywhere", Duration.ofSeconds(60), () ->
        chain.committedTransactions.stream().allMatch(c -> c.containsAll(first)));
    String pid = Validator.persistenceId(chain.set.chainId(), 3).id();
    // Recovery must start from a snapshot and the journal after it: wait for one (every 5 events;
    // with shared pools the first transactions can commit in fewer rounds than that).
    await("a snapshot of validator 3", Duration.ofSeconds(60), () ->
        !SnapshotTestKit.create(testKit.system()).persistedInStorage(pid).isEmpty());
    Validator.Status beforeStop = chain.status(3);
    assertTrue(beforeStop.height() >= 1);
    // Stopped mid-run: transactions are in flight and the chain keeps proposing.
    List<Digest> inFlight = chain.submit(0, "in-flight", 8);
    Thread.sleep(30);
    chain.stop(3);
    int sentBeforeStop = chain.sent.get(3).size();

    // What the journal holds is what the stopped validator signed under: its last persisted
    // safety state covers every vote it sent.
    SafetyState persisted = null;
    for (Object event : PersistenceTestKit.create(testKit.system()).persistedInStorage(pid)) {
      if (event instanceof Validator.SafetyStateChanged s) {
        persisted = Codec.decodeSafetyState(s.safetyState()).value();
      }
    }
    assertNotNull(persisted);
    long maxVotedBeforeStop = chain.sent.get(3).stream()
        .filter(m -> m instanceof Vote).mapToLong(m -> ((Vote) m).round()).max().orElseThrow();
    assertTrue(persisted.lastVotedRound() >= maxVotedBeforeStop,
        "persisted " + persisted.lastVotedRound() + " < sent vote round " + maxVotedBeforeStop);
    assertFalse(SnapshotTestKit.create(testKit.system()).persistedInStorage(pid).isEmpty(),
        "no snapshot taken");

    // Three of four are a quorum: the chain moves on without it.
    List<Digest> second = chain.submit(1, "while-down", 8);
    second.addAll(inFlight);
    await("the others to commit while 3 is down", Duration.ofSeconds(60), () ->
        List.of(0, 1, 2).stream().allMatch(i -> chain.committedTransactions.get(i).containsAll(second)));
    long othersHeight = chain.status(0).height();
    assertTrue(othersHeight > beforeStop.height());

    chain.start(3);
    Validator.Status recovered = chain.status(3);
    assertTrue(recovered.height() >= beforeStop.height(),
        "recovered at " + recovered.height() + ", had " + beforeStop.height());
    assertTrue(recovered.lastVotedRound() >= persisted.lastVotedRound());

    List<Digest> third = chain.submit(2, "after-restart", 8);
    await("the restarted validator to catch up and commit new transactions", Duration.ofSeconds(60),
        () -> chain.committedTransactions.get(3).containsAll(third)
            && chain.status(3).height() >= othersHeight);
    chain.assertAgreement();
    assertTrue(chain.sent.get(3).size() > sentBeforeStop, "sent nothing after the restart");
    // Caught up block by block: no height missing across its two incarnations, and the blocks
    // committed while it was down are among them.
    long caughtUp = chain.status(3).height();
    for (long h = 1; h <= caughtUp; h++) {
      assertNotNull(chain.committed.get(3).get(h), "validator 3 never committed height " + h);
    }
    assertTrue(chain.committedTransactions.get(3).containsAll(second));

    // Never two different signed messages for one round, across both incarnations.
    Map<Long, Set<Digest>> votedBlocks = new HashMap<>();
    Map<Long, Set<Digest>> proposedBlocks = new HashMap<>();
    Map<Long, Set<Digest>> timeoutsSigned = new HashMap<>();
    for (ConsensusMessage m : chain.sent.get(3)) {
      if (m instanceof Vote v) {
        votedBlocks.computeIfAbsent(v.round(), r -> new HashSet<>()).add(v.data().blockId());
      } else if (m instanceof Proposal p && p.block().proposer() == 3) {
        proposedBlocks.computeIfAbsent(p.round(), r -> new HashSet<>()).add(p.block().id());
      } else if (m instanceof Timeout t && t.signer() == 3) {
        // FALCON signatures are randomized: one signature per round means it was re-sent, not re-signed.
        timeoutsSigned.computeIfAbsent(t.round(), r -> new HashSet<>()).add(Digest.sha256(t.signature()));
      }
    }
    long votesAfterRestart = votedBlocks.keySet().stream().filter(r -> r > maxVotedBeforeStop).count();
    assertTrue(votesAfterRestart > 0, "no votes after the restart");
    for (var rounds : List.of(votedBlocks, proposedBlocks, timeoutsSigned)) {
      rounds.forEach((round, signed) ->
          assertEquals(1, signed.size(), "validator 3 signed " + signed.size() + " things in round " + round));
    }
    for (int i = 0; i < N; i++) {
      chain.stop(i);
    }
  }
}
