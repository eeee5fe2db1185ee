package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The core and its rules driven by hand, one input at a time. */
class BftCoreTest {

  private final TestSignatures keys = new TestSignatures(4, 11);
  private final ValidatorSet set = TestTiming.set("core-chain", keys.publicKeys());
  private static final BlockTime ANY = new BlockTime(9, Digest.ZERO, 9);
  private long now = 1000;

  private BftCore core(int index) {
    BftCore core = BftCore.create(Scenario.CONFIG, set, index, keys.signer(index), keys.verifier(),
        Scenario.VALIDATOR, () -> now);
    core.start();
    return core;
  }

  private Block block(long round, QuorumCert qc, String tag) {
    byte[] body = ("T" + tag).getBytes(StandardCharsets.UTF_8);
    return new Block(round, qc.height() + 1, set.leader(round), qc, TestTiming.first(set, 900),
        List.of(new Transaction(Digest.sha256(body), body)));
  }

  private Proposal proposal(Block block) {
    return Proposal.sign(block, null, keys.signer(block.proposer()), set.chainId());
  }

  private static List<String> rejections(Step step) {
    return step.outputs().stream().filter(o -> o instanceof Output.MessageRejected)
        .map(o -> ((Output.MessageRejected) o).reason()).toList();
  }

  private static Transaction sized(char tag, int bytes) {
    byte[] body = new byte[bytes];
    java.util.Arrays.fill(body, (byte) tag);
    return new Transaction(Digest.sha256(body), body);
  }

  @Test
  void blocksAreBoundedInBytesAndAnUnfittableTransactionIsRefusedAtOnce() {
    int max = Scenario.CONFIG.maxBatchBytes();
    Transaction a = sized('a', max / 2 + 1);
    Transaction b = sized('b', max / 2 + 1);
    Transaction c = sized('c', 100);
    Transaction huge = sized('h', max + 1);
    BftCore leader = core(set.leader(1));
    Step step = leader.handle(new Input.SubmitTransactions(List.of(a, b, c, huge)));
    List<String> refused = step.outputs().stream().filter(o -> o instanceof Output.TransactionRejected)
        .map(o -> ((Output.TransactionRejected) o).transactionId() + ": " + ((Output.TransactionRejected) o).reason())
        .toList();
    assertEquals(List.of(huge.id() + ": transaction of " + (max + 1) + " bytes exceeds the block bound of "
        + max + " bytes (max-batch-bytes)"), refused);
    Proposal proposed = step.outputs().stream().filter(o -> o instanceof Output.Broadcast)
        .map(o -> ((Output.Broadcast) o).message()).filter(m -> m instanceof Proposal)
        .map(m -> (Proposal) m).findFirst().orElseThrow();
    // a and b do not fit together; c, later in the pool, still fills the block.
    assertEquals(List.of(a.id(), c.id()), proposed.block().transactions().stream().map(Transaction::id).toList());

    Block tooBig = new Block(1, 1, set.leader(1), set.genesisQc(), TestTiming.first(set, 900), List.of(a, b));
    long bytes = (long) a.body().length + b.body().length;
    assertEquals(List.of("proposal: block carries " + bytes + " bytes of transactions, max " + max),
        rejections(core(3).handle(new Input.Received(set.leader(1), proposal(tooBig)))));
  }

  @Test
  void conflictingVotesReachingTheNextLeaderBecomeEvidence() {
    BftCore leader2 = core(set.leader(2));
    Block a = block(1, set.genesisQc(), "a");
    Block b = block(1, set.genesisQc(), "b");
    Vote va = Vote.sign(VoteData.of(a), 0, keys.signer(0), set.chainId());
    Vote vb = Vote.sign(VoteData.of(b), 0, keys.signer(0), set.chainId());
    leader2.handle(new Input.Received(0, va));
    Step step = leader2.handle(new Input.Received(0, vb));
    Evidence e = step.outputs().stream().filter(o -> o instanceof Output.EquivocationDetected)
        .map(o -> ((Output.EquivocationDetected) o).evidence()).findFirst().orElseThrow();
    assertTrue(e instanceof Evidence.ConflictingVotes);
    assertEquals(0, e.offender());
    assertTrue(e.verify(set, keys.verifier()).accepted());
    // A replay of the first vote is just a duplicate.
    assertTrue(leader2.handle(new Input.Received(3, va)).outputs().isEmpty());
    // Evidence built from two copies of one vote is not evidence.
    assertFalse(new Evidence.ConflictingVotes(va, va).verify(set, keys.verifier()).accepted());
  }

  @Test
  void badProposalsAreRefusedWithTheirReason() {
    BftCore v3 = core(3);
    Block good = block(1, set.genesisQc(), "a");
    Proposal forged = new Proposal(good, null, keys.signer(0).sign(
        Proposal.signingBytes(set.chainId(), good.id())));
    assertEquals(List.of("bad proposal signature from validator " + good.proposer()),
        rejections(v3.handle(new Input.Received(0, forged))));

    Block notLeader = new Block(1, 1, 2, set.genesisQc(), TestTiming.first(set, 900), List.of());
    assertEquals(List.of("proposal by 2 who does not lead round 1"),
        rejections(v3.handle(new Input.Received(0, proposal(notLeader)))));

    Block skipping = block(3, set.genesisQc(), "skip");
    assertEquals(List.of("proposal for round 3 lacks the one certificate of round 2 that justifies it"),
        rejections(v3.handle(new Input.Received(0, proposal(skipping)))));

    VoteData fake = new VoteData(good.id(), 1, 1, set.genesisId(), 0);
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    sigs.put(0, keys.signer(0).sign(fake.signingBytes(set.chainId())));
    sigs.put(1, keys.signer(1).sign(fake.signingBytes(set.chainId())));
    Block onThinQc = block(2, new QuorumCert(fake, sigs), "thin");
    assertEquals(List.of("proposal: quorum certificate has 2 signatures, needs 3"),
        rejections(v3.handle(new Input.Received(0, proposal(onThinQc)))));
    assertEquals(1, v3.round(), "nothing moved the round");
  }

  @Test
  void safetyRulesRefuseVotesThatCouldSkipACommittedBlock() {
    VoteData d5 = new VoteData(Digest.sha256(new byte[] {5}), 5, 5, Digest.ZERO, 4);
    VoteData d3 = new VoteData(Digest.sha256(new byte[] {3}), 3, 3, Digest.ZERO, 2);
    QuorumCert qc5 = new QuorumCert(d5, new TreeMap<>());
    QuorumCert qc3 = new QuorumCert(d3, new TreeMap<>());
    TreeMap<Integer, TimeoutCert.Entry> entries = new TreeMap<>();
    entries.put(0, new TimeoutCert.Entry(5, new byte[0]));
    entries.put(1, new TimeoutCert.Entry(3, new byte[0]));
    TimeoutCert tc6 = new TimeoutCert(6, entries);
    SafetyState s = new SafetyState(5, 4, null, null, qc5, null);

    assertTrue(SafetyRules.canVote(s, new Block(6, 6, 2, qc5, ANY, List.of()), null).accepted());
    assertTrue(SafetyRules.canVote(s, new Block(7, 6, 3, qc5, ANY, List.of()), tc6).accepted());
    assertFalse(SafetyRules.canVote(s, new Block(7, 4, 3, qc3, ANY, List.of()), tc6).accepted(),
        "a QC below the TC's highest would skip what round 5 may have committed");
    assertFalse(SafetyRules.canVote(s, new Block(5, 6, 1, qc3, ANY, List.of()), null).accepted());
    assertFalse(SafetyRules.canVote(s, new Block(8, 6, 0, qc5, ANY, List.of()), null).accepted(),
        "a gap without a TC");
    assertFalse(SafetyRules.canTimeout(s, 6, qc3, tc6).accepted(), "timeout below the lock");
    assertTrue(SafetyRules.canTimeout(s, 6, qc5, null).accepted());
    assertFalse(SafetyRules.canTimeout(s, 4, qc3, null).accepted());
    assertFalse(SafetyRules.canPropose(s, 5).accepted());
  }

  @Test
  void commitCertificateVerifiesStandaloneAndNotWhenTampered() {
    Scenario s = new Scenario(5);
    s.settleMillis = 0;
    s.runAfterSettle = 1000;
    s.run().assertSafe();
    HonestReplica h = s.honest.get(0);
    CommitCertificate cert = h.lastCertificate;
    assertTrue(cert.certifies(h.committed.get((int) cert.height() - 1)));
    SignatureVerifier verifier = s.verifiers.get();
    assertTrue(cert.verify(s.set, verifier).accepted());
    CommitCertificate decoded = Codec.decodeCommitCertificate(Codec.encode(cert)).value();
    assertTrue(decoded.verify(s.set, verifier).accepted());
    assertEquals(cert.blockId(), decoded.blockId());

    TreeMap<Integer, byte[]> sigs = new TreeMap<>(cert.qc().signatures());
    Integer first = sigs.firstKey();
    byte[] flipped = sigs.get(first).clone();
    flipped[0] ^= 1;
    sigs.put(first, flipped);
    assertEquals("commit certificate: quorum certificate: bad signature from validator " + first,
        new CommitCertificate(new QuorumCert(cert.qc().data(), sigs)).verify(s.set, verifier).reason());
    sigs.remove(first);
    while (sigs.size() >= s.set.quorum()) {
      sigs.remove(sigs.lastKey());
    }
    assertFalse(new CommitCertificate(new QuorumCert(cert.qc().data(), sigs))
        .verify(s.set, verifier).accepted());
    VoteData d = cert.qc().data();
    VoteData gap = new VoteData(d.blockId(), d.round() + 1, d.height(), d.parentId(), d.parentRound());
    assertTrue(new CommitCertificate(new QuorumCert(gap, cert.qc().signatures()))
        .verify(s.set, verifier).reason().startsWith("certificate is not a 2-chain"));
    ValidatorSet otherChain = new ValidatorSet(Digest.ZERO, s.publicKeys, s.set.timing());
    assertFalse(cert.verify(otherChain, verifier).accepted());
    assertNull(Codec.decodeCommitCertificate(new byte[3]).value());
  }

  private Step propose(BlockTime time) {
    byte[] body = "Ttime".getBytes(StandardCharsets.UTF_8);
    Block b = new Block(1, 1, set.leader(1), set.genesisQc(), time,
        List.of(new Transaction(Digest.sha256(body), body)));
    return core(3).handle(new Input.Received(set.leader(1), proposal(b)));
  }

  private static boolean votes(Step step) {
    return step.outputs().stream()
        .anyMatch(o -> o instanceof Output.Send s && s.message() instanceof Vote);
  }

  @Test
  void aBlockIsVotedForOnlyIfItsTickAndTimeFollowTheRule() {
    BlockTime genesis = set.timing().genesis();
    long ticks = TestTiming.TICKS_PER_BLOCK;
    Step good = propose(set.timing().next(genesis, now));
    assertTrue(votes(good), good.outputs().toString());
    assertEquals(List.of(), rejections(good));

    BlockTime right = set.timing().next(genesis, now);
    Step count = propose(new BlockTime(ticks + 1, right.tickHash(), now));
    assertFalse(votes(count));
    assertEquals(1, rejections(count).size());
    assertTrue(rejections(count).get(0).endsWith("block tick 4 is not its parent's tick 0 + 3"),
        rejections(count).toString());

    Step hash = propose(new BlockTime(ticks, genesis.tickHash(), now));
    assertFalse(votes(hash));
    assertTrue(rejections(hash).get(0).endsWith(
        "block tick hash is not 3 hashes after its parent's tick 0"), rejections(hash).toString());

    Step notAfter = propose(new BlockTime(ticks, right.tickHash(), genesis.timestampMillis()));
    assertFalse(votes(notAfter));
    assertTrue(rejections(notAfter).get(0).endsWith("block time 0 is not after its parent's 0"));

    long ahead = now + TestTiming.SKEW_MILLIS + 1;
    Step future = propose(new BlockTime(ticks, right.tickHash(), ahead));
    assertFalse(votes(future));
    assertTrue(rejections(future).get(0).contains("ms ahead of this validator's clock"),
        rejections(future).toString());
    // The same block is fine for a validator whose clock has caught up.
    now = ahead;
    assertTrue(votes(propose(new BlockTime(ticks, right.tickHash(), ahead))));

    now = 10 + 2 * TestTiming.SKEW_MILLIS;
    Step past = propose(new BlockTime(ticks, right.tickHash(), 5));
    assertFalse(votes(past));
    assertTrue(rejections(past).get(0).contains("ms behind this validator's clock"));
  }

  @Test
  void theLeaderStampsItsClockAndAdvancesTheParentsTick() {
    now = 4242;
    BftCore leader = core(set.leader(1));
    byte[] body = "Tpool".getBytes(StandardCharsets.UTF_8);
    Step step = leader.handle(new Input.SubmitTransactions(
        List.of(new Transaction(Digest.sha256(body), body))));
    Proposal p = step.outputs().stream()
        .filter(o -> o instanceof Output.Broadcast b && b.message() instanceof Proposal)
        .map(o -> (Proposal) ((Output.Broadcast) o).message()).findFirst().orElseThrow();
    BlockTime t = p.block().time();
    assertEquals(TestTiming.TICKS_PER_BLOCK, t.tickCount());
    assertEquals(4242, t.timestampMillis());
    assertEquals(BlockTime.advance(set.timing().genesis().tickHash(), 3), t.tickHash());
    assertTrue(set.timing().check(set.timing().genesis(), t, now).accepted());
    // A clock behind the parent still gives a later timestamp.
    assertEquals(1, set.timing().next(set.timing().genesis(), 0).timestampMillis());
  }

  @Test
  void aLeaderWithAQcOnABlockItNeverReceivedFetchesItThenProposes() {
    int leader2 = set.leader(2);
    BftCore core = core(leader2);
    byte[] body = "Tunseen".getBytes(StandardCharsets.UTF_8);
    Block b1 = new Block(1, 1, set.leader(1), set.genesisQc(),
        set.timing().next(set.timing().genesis(), now),
        List.of(new Transaction(Digest.sha256(body), body)));
    Step last = null;
    for (int voter = 0; voter < 4; voter++) {
      if (voter != leader2) {
        last = core.handle(new Input.Received(voter,
            Vote.sign(VoteData.of(b1), voter, keys.signer(voter), set.chainId())));
      }
    }
    assertEquals(2, core.round(), "the QC moved the leader to round 2");
    assertTrue(last.outputs().stream().anyMatch(o -> o instanceof Output.Send s
        && s.message() instanceof BlockRequest r && r.blockId().equals(b1.id())),
        last.outputs().toString());
    assertFalse(last.outputs().stream().anyMatch(o -> o instanceof Output.Broadcast b
        && b.message() instanceof Proposal), "no proposal without the parent's time");

    Step fetched = core.handle(new Input.Received(0, new BlockResponse(List.of(b1))));
    Proposal p = fetched.outputs().stream()
        .filter(o -> o instanceof Output.Broadcast b && b.message() instanceof Proposal)
        .map(o -> (Proposal) ((Output.Broadcast) o).message()).findFirst().orElseThrow();
    assertEquals(b1.id(), p.block().parentId());
    assertTrue(set.timing().follows(b1.time(), p.block().time()).accepted());
  }
}
