package online.hypermesh.actors.trustchain;

import com.typesafe.config.ConfigFactory;
import online.hypermesh.protocol.trustchain.LogSigner;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleProofVerifier;
import online.hypermesh.protocol.trustchain.SignedTreeHead;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log entity on the in-memory journal; every proof it hands out is checked with the independent verifier. */
class TransparencyLogTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
          .withFallback(ConfigFactory.load()));
  private static final LogSigner SIGNER = LogSigner.generate();
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

  private EventSourcedBehaviorTestKit<TransparencyLog.Command, TransparencyLog.Event, TransparencyLog.State> log;

  @BeforeEach
  void setUp() {
    log = EventSourcedBehaviorTestKit.create(testKit.system(), TransparencyLog.create("test", SIGNER, CLOCK),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false).withVerifyEquality(false));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static byte[] entry(int i) {
    return ("certificate-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private TransparencyLog.Appended append(int i) {
    return log.<TransparencyLog.Appended>runCommand(replyTo -> new TransparencyLog.Append(entry(i), replyTo)).reply();
  }

  private SignedTreeHead head() {
    return log.<TransparencyLog.TreeHead>runCommand(TransparencyLog.GetTreeHead::new).reply().head();
  }

  @Test
  void everyAppendIsPersistedAndComesBackWithAVerifiableReceipt() {
    for (int i = 0; i < 10; i++) {
      TransparencyLog.Appended appended = append(i);
      assertEquals(i, appended.leafIndex());
      assertTrue(appended.receipt().verify(SIGNER.publicKey(), MerkleHashes.leafHash(entry(i))).isValid());
      assertFalse(appended.receipt().verify(SIGNER.publicKey(), MerkleHashes.leafHash(entry(i + 1))).isValid());
    }
    SignedTreeHead head = head();
    assertEquals(10, head.treeSize());
    assertTrue(head.verify(SIGNER.publicKey()).isValid());
  }

  @Test
  void inclusionAndConsistencyProofsVerifyIndependently() {
    for (int i = 0; i < 7; i++) {
      append(i);
    }
    SignedTreeHead seven = head();
    for (int i = 0; i < 13; i++) {
      append(100 + i);
    }
    SignedTreeHead twenty = head();
    for (int index = 0; index < 20; index++) {
      int leaf = index;
      TransparencyLog.ProofReply proof = log.<TransparencyLog.ProofReply>runCommand(
          replyTo -> new TransparencyLog.GetInclusionProof(leaf, 20, replyTo)).reply();
      assertNull(proof.problem());
      byte[] leafHash = MerkleHashes.leafHash(index < 7 ? entry(index) : entry(100 + index - 7));
      assertTrue(MerkleProofVerifier.verifyInclusion(twenty, index, leafHash, proof.hashes()).isValid(), "leaf " + index);
    }
    TransparencyLog.ProofReply consistency = log.<TransparencyLog.ProofReply>runCommand(
        replyTo -> new TransparencyLog.GetConsistencyProof(7, 20, replyTo)).reply();
    assertTrue(MerkleProofVerifier.verifyConsistency(seven, twenty, consistency.hashes()).isValid());
  }

  @Test
  void outOfRangeRequestsAreRefusedWithAReason() {
    append(0);
    append(1);
    TransparencyLog.ProofReply tooBig = log.<TransparencyLog.ProofReply>runCommand(
        replyTo -> new TransparencyLog.GetInclusionProof(0, 5, replyTo)).reply();
    assertNotNull(tooBig.problem());
    assertTrue(tooBig.hashes().isEmpty());
    TransparencyLog.ProofReply backwards = log.<TransparencyLog.ProofReply>runCommand(
        replyTo -> new TransparencyLog.GetConsistencyProof(2, 1, replyTo)).reply();
    assertNotNull(backwards.problem());
    TransparencyLog.EntriesReply beyond = log.<TransparencyLog.EntriesReply>runCommand(
        replyTo -> new TransparencyLog.GetEntries(0, 2, replyTo)).reply();
    assertNotNull(beyond.problem());
    TransparencyLog.EntriesReply both = log.<TransparencyLog.EntriesReply>runCommand(
        replyTo -> new TransparencyLog.GetEntries(0, 1, replyTo)).reply();
    assertNull(both.problem());
    assertArrayEquals(entry(1), both.entries().get(1));
  }

  /** A clock that moves 1 ms per reading: appends written in one journal write share their timestamp. */
  private static final class TickingClock extends Clock {
    private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.incrementAndGet());
    }
  }

  @Test
  void appendsArrivingTogetherAreWrittenTogetherAndEachGetsItsOwnIndex() {
    var running = testKit.spawn(TransparencyLog.create("group-" + System.nanoTime(), SIGNER, new TickingClock(),
        java.util.concurrent.Executors.newFixedThreadPool(2)));
    var probe = testKit.<TransparencyLog.Appended>createTestProbe();
    int count = 300;
    for (int i = 0; i < count; i++) {
      running.tell(new TransparencyLog.Append(entry(i), probe.ref()));
    }
    java.util.Set<Long> indexes = new java.util.HashSet<>();
    java.util.Set<Long> writes = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      TransparencyLog.Appended appended = probe.receiveMessage(java.time.Duration.ofSeconds(60));
      indexes.add(appended.leafIndex());
      writes.add(appended.receipt().timestampMillis());
    }
    assertEquals(count, indexes.size());
    // Sent all at once, they cannot need one write each: at most 256 per write, and the first may be alone.
    assertTrue(writes.size() <= 10, "journal writes: " + writes.size());
    assertTrue(writes.size() >= 2, "a write holds at most " + TransparencyLog.MAX_BATCH_ENTRIES + " entries");
  }

  @Test
  void theTreeIsRebuiltFromTheJournalAndFromASnapshot() {
    for (int i = 0; i < 1005; i++) {
      log.runCommand(new TransparencyLog.Append(entry(i), testKit.<TransparencyLog.Appended>createTestProbe().ref()));
    }
    SignedTreeHead before = head();
    log.restart();
    SignedTreeHead after = head();
    assertEquals(1005, after.treeSize());
    assertArrayEquals(before.rootHash(), after.rootHash());
  }
}
