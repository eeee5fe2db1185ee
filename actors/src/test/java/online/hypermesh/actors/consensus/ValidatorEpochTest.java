package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.BlockTiming;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.proof.StakeProof;
import online.hypermesh.protocol.consensus.proof.TimeProof;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.consensus.proof.WorkProof;
import online.hypermesh.protocol.crypto.Falcon;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Validator actors across a validator-set change (in-memory journal, serialized through Kryo,
 * real FALCON-1024 keys): four validators commit a change to validators 1-3 while validator 3 is
 * cut off; it catches up through the epoch's ending; validator 0 retires and refuses new
 * transactions, the others go on under the new set, and one of them, restarted, recovers into
 * the new epoch from its journal.
 */
class ValidatorEpochTest {

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

  static {
    for (int i = 0; i < N; i++) {
      KEYS.add(Falcon.generateKeyPair());
    }
  }

  /** Each test its own chain id, so the shared in-memory journal keeps their validators apart. */
  private static final java.util.concurrent.atomic.AtomicInteger CHAINS =
      new java.util.concurrent.atomic.AtomicInteger();
  private final ValidatorSet set0 = new ValidatorSet(
      Digest.sha256(("epochs-" + CHAINS.incrementAndGet()).getBytes(StandardCharsets.UTF_8)),
      KEYS.stream().map(k -> k.getPublic().getEncoded()).toList(),
      new BlockTiming(new BlockTime(0, Digest.sha256("tick".getBytes(StandardCharsets.UTF_8)), 0),
          10, 10_000));
  private final BftConfig config = BftConfig.defaults().withBaseTimeoutMillis(400);
  private final List<Map<Long, Digest>> committed = new ArrayList<>();
  private final List<Map<Digest, CommitCertificate>> certified = new ArrayList<>();
  private final List<Map<Digest, String>> rejected = new ArrayList<>();
  private final List<ActorRef<Validator.Command>> refs = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
  private volatile boolean isolated;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private void start(int i) {
    ValidatorSettings settings = new ValidatorSettings(config, set0, i,
        new FalconSigner(KEYS.get(i).getPrivate()), new FalconVerifier(),
        (tx, context) -> tx.body().length > 0 ? Verdict.accept() : Verdict.reject("empty body"),
        5);
    CommitListener listener = new CommitListener() {
      @Override
      public void committed(online.hypermesh.protocol.consensus.bft.Block block,
          CommitCertificate certificate) {
        Digest previous = committed.get(i).putIfAbsent(block.height(), block.id());
        if (previous != null && !previous.equals(block.id())) {
          problems.add("validator " + i + " committed two blocks at " + block.height());
        }
        for (Transaction t : block.transactions()) {
          certified.get(i).put(t.id(), certificate);
        }
      }

      @Override
      public void rejected(Digest transactionId, Digest blockId, String reason) {
        rejected.get(i).put(transactionId, reason);
      }
    };
    ValidatorNetwork.Factory receptionist = ReceptionistNetwork.factory();
    ValidatorNetwork.Factory cutting = context -> {
      ValidatorNetwork inner = receptionist.open(context);
      return new ValidatorNetwork() {
        /** While validator 3 is cut off, nothing of epoch 0 reaches it or leaves it. */
        private boolean cut(int to, Validator.Deliver message) {
          return isolated && message.epoch() == 0 && (i == 3 || to == 3);
        }

        @Override
        public void send(int to, Validator.Deliver message) {
          if (!cut(to, message)) {
            inner.send(to, message);
          }
        }

        @Override
        public void broadcast(Validator.Deliver message) {
          for (int to = 0; to < N; to++) {
            if (to != i && !cut(to, message)) {
              inner.send(to, message);
            }
          }
          if (message.epoch() > 0) {
            inner.broadcast(message);
          }
        }

        @Override
        public void join(ValidatorSet set, int index, boolean follow) {
          inner.join(set, index, follow);
        }

        @Override
        public void leave() {
          inner.leave();
        }
      };
    };
    // Its own journal, read back as a node reads Cassandra (ConsensusNode.validatorBlocks).
    String persistenceId = Validator.persistenceId(set0.chainId(), i).id();
    ValidatorHistory history = new ValidatorHistory() {
      @Override
      public java.util.concurrent.CompletionStage<List<Validator.BlockCommitted>> committed(
          long from, long to) {
        return java.util.concurrent.CompletableFuture.completedFuture(
            PersistenceTestKit.create(testKit.system()).persistedInStorage(persistenceId).stream()
                .filter(e -> e instanceof Validator.BlockCommitted c && c.height() >= from
                    && c.height() <= to)
                .map(e -> (Validator.BlockCommitted) e).toList());
      }

      @Override
      public int chunkBlocks() {
        // Small, so a validator 12+ blocks behind is caught up in several answers.
        return 3;
      }
    };
    refs.set(i, testKit.spawn(Validator.create(settings, cutting, listener, history)));
  }

  private Validator.Status status(int i) {
    TestProbe<Validator.Status> probe = testKit.createTestProbe();
    refs.get(i).tell(new Validator.GetStatus(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private Digest submit(int to, byte[] body) {
    Digest id = Digest.sha256(body);
    refs.get(to).tell(new Validator.Submit(List.of(
        new Validator.SubmittedTransaction(id.bytes(), body))));
    return id;
  }

  /** A kind-9 envelope whose payload moves the set to validators 1-3, signed by 3 of epoch 0. */
  private byte[] change(List<byte[]> keys) {
    TreeMap<Integer, byte[]> signatures = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      signatures.put(i, EpochChange.sign(set0, keys, new FalconSigner(KEYS.get(i).getPrivate())));
    }
    // Only the boundary reads the envelope here (the test's transaction rule accepts any body):
    // the proofs are placeholders, as in ChainEpochTest's consensus-only blocks.
    var envelope = new online.hypermesh.protocol.consensus.proof.Transaction(
        TransactionKind.VALIDATOR_SET_CHANGE, new EpochChange(keys, signatures).encode(),
        List.of(new byte[] {1}), 1, 1, null, new StakeProof(new byte[] {1}), new WorkProof(0),
        null, new TimeProof(0, new byte[TimeProof.HASH_BYTES]));
    return TransactionCodec.encode(envelope);
  }

  /** Whether validators 0 to {@code count - 1} are all in {@code epoch}. */
  private boolean firstInEpoch(int count, long epoch) {
    for (int i = 0; i < count; i++) {
      if (status(i).epoch() != epoch) {
        return false;
      }
    }
    return true;
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
  void validatorsSwitchSetsRetireAndRecoverIntoTheNewEpoch() throws Exception {
    for (int i = 0; i < N; i++) {
      committed.add(new ConcurrentHashMap<>());
      certified.add(new ConcurrentHashMap<>());
      rejected.add(new ConcurrentHashMap<>());
      refs.add(null);
      start(i);
    }
    Digest before = submit(0, "before the change".getBytes(StandardCharsets.UTF_8));
    await("a commit in epoch 0", Duration.ofSeconds(60),
        () -> certified.stream().allMatch(c -> c.containsKey(before)));

    // Validator 3 is cut off while 0-2 (a quorum of epoch 0) commit the change: it misses the
    // certificate, and the validators that have it halted. Back, it learns the ending from them
    // in answer to its epoch-0 messages; without it epoch 1 (validators 1-3, all needed) stalls.
    isolated = true;
    List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2), set0.publicKey(3));
    Digest change = submit(1, change(keys1));
    await("validators 0-2 in epoch 1", Duration.ofSeconds(60), () -> firstInEpoch(3, 1));
    assertEquals(0, status(3).epoch(), "the cut-off validator is still in epoch 0");
    isolated = false;
    await("every validator in epoch 1", Duration.ofSeconds(60), () -> firstInEpoch(N, 1));
    assertTrue(problems.isEmpty(), problems.toString());
    assertEquals(-1, status(0).validator(), "validator 0 is not in epoch 1's set");
    for (int i = 1; i < N; i++) {
      assertEquals(i - 1, status(i).validator(), "index in epoch 1");
    }
    long base = status(1).height();
    for (int i = 0; i < N; i++) {
      assertTrue(committed.get(i).values().containsAll(committed.get(1).values())
          || committed.get(1).values().containsAll(committed.get(i).values()));
      assertTrue(certified.get(i).containsKey(change), "validator " + i + " committed the change");
    }

    ValidatorSet set1 = set0.next(keys1, committed.get(1).get(base), base,
        new BlockTime(0, Digest.sha256(new byte[1]), 0));
    // The retired validator refuses at once, with the reason.
    Digest refused = submit(0, "to the retired validator".getBytes(StandardCharsets.UTF_8));
    await("the retired validator's refusal", Duration.ofSeconds(10),
        () -> rejected.get(0).containsKey(refused));
    assertTrue(rejected.get(0).get(refused).contains("not a validator of epoch 1"),
        rejected.get(0).get(refused));

    Digest after = submit(2, "after the change".getBytes(StandardCharsets.UTF_8));
    await("a commit in epoch 1", Duration.ofSeconds(60),
        () -> certified.get(1).containsKey(after) && certified.get(3).containsKey(after));
    FalconVerifier verifier = new FalconVerifier();
    CommitCertificate cert = certified.get(1).get(after);
    // Signed under epoch 1's signing chain id by its set, not epoch 0's.
    assertTrue(cert.height() > base);
    assertTrue(cert.verify(set0, verifier).rejected(), "an epoch-1 certificate under epoch 0");
    assertTrue(set1.signingChainId().equals(ValidatorSet.epochSigningChainId(set0.chainId(), 1,
        committed.get(1).get(base))));
    assertTrue(certified.get(0).get(after) == null, "the retired validator commits no more");

    // Restarted, validator 3 recovers into epoch 1 (index 2) and keeps committing.
    testKit.stop(refs.get(3), Duration.ofSeconds(10));
    start(3);
    await("validator 3 back in epoch 1", Duration.ofSeconds(30), () -> status(3).epoch() == 1);
    assertEquals(2, status(3).validator());
    Digest later = submit(1, "after the restart".getBytes(StandardCharsets.UTF_8));
    await("a commit after the restart", Duration.ofSeconds(60),
        () -> certified.get(3).containsKey(later) && certified.get(2).containsKey(later));
    assertTrue(problems.isEmpty(), problems.toString());
  }

  /**
   * Validator 3 misses many commits and the change: the ending alone does not reach its tip, so
   * the others catch it up from their journals in chunks, then it takes the ending.
   */
  @Test
  void aValidatorFarBehindCatchesUpFromThePeersJournals() throws Exception {
    for (int i = 0; i < N; i++) {
      committed.add(new ConcurrentHashMap<>());
      certified.add(new ConcurrentHashMap<>());
      rejected.add(new ConcurrentHashMap<>());
      refs.add(null);
      start(i);
    }
    Digest first = submit(0, "first".getBytes(StandardCharsets.UTF_8));
    await("a commit everywhere", Duration.ofSeconds(60),
        () -> certified.stream().allMatch(c -> c.containsKey(first)));
    long behind = status(3).height();
    isolated = true;
    for (int k = 0; k < 12; k++) {
      Digest tx = submit(k % 3, ("while validator 3 is away " + k).getBytes(StandardCharsets.UTF_8));
      await("commit " + k, Duration.ofSeconds(30), () -> certified.get(0).containsKey(tx));
    }
    List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2), set0.publicKey(3));
    submit(1, change(keys1));
    await("validators 0-2 in epoch 1", Duration.ofSeconds(60), () -> firstInEpoch(3, 1));
    long base = status(1).height();
    assertTrue(base > behind + Validator.ENDING_LEAD_BLOCKS + 2,
        "validator 3 is further behind than an ending reaches: " + behind + " vs " + base);
    isolated = false;
    await("validator 3 in epoch 1", Duration.ofSeconds(60), () -> status(3).epoch() == 1);
    for (long h = 1; h <= base; h++) {
      assertEquals(committed.get(1).get(h), committed.get(3).get(h), "height " + h);
    }
    // Epoch 1 (validators 1-3, all needed) commits with it.
    Digest after = submit(2, "after catching up".getBytes(StandardCharsets.UTF_8));
    await("a commit in epoch 1", Duration.ofSeconds(60),
        () -> certified.get(3).containsKey(after));
    assertTrue(problems.isEmpty(), problems.toString());
  }
}
