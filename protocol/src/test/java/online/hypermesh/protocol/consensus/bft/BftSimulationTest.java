package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Four validators on the simulated network, f = 1: honest runs, and one real misbehaving
 * validator of each kind. After each run: no two honest validators committed different blocks at
 * a height, and commits continued once the network settled.
 */
class BftSimulationTest {

  private static Scenario chaotic(long seed) {
    Random random = new Random(seed);
    return new Scenario(seed).network(Scenario.chaotic(random, 1500, 4));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void honestValidatorsCommitEverySubmittedTransactionOnceDespiteChaos(long seed) {
    Scenario s = chaotic(seed);
    s.submitUntil = 2000;
    s.run().assertSafe().assertLive(5);
    for (HonestReplica h : s.honest) {
      Set<Digest> committed = new HashSet<>();
      h.committed.forEach(b -> b.transactions().forEach(tx -> committed.add(tx.id())));
      assertEquals(s.submittedValid, committed, "validator " + h.index + " committed set");
    }
    assertTrue(s.sim.monitor.votesSeen > 100, "votes seen " + s.sim.monitor.votesSeen);
  }

  /**
   * Transactions handed to one validator only, the one whose blocks the silent validator (the
   * next round's leader) would have to certify: they commit because validators share their pools.
   */
  @ParameterizedTest
  @ValueSource(longs = {61, 62})
  void transactionsSubmittedToTheValidatorBeforeASilentLeaderStillCommit(long seed) {
    Scenario s = chaotic(seed).byzantine(2, ByzantineReplicas.Kind.SILENT);
    s.submitOnlyTo = 1;
    s.submitUntil = 2000;
    s.run().assertSafe().assertLive(5);
    for (HonestReplica h : s.honest) {
      Set<Digest> committed = new HashSet<>();
      h.committed.forEach(b -> b.transactions().forEach(tx -> committed.add(tx.id())));
      assertEquals(s.submittedValid, committed, "validator " + h.index + " committed set");
    }
  }

  @org.junit.jupiter.api.Test
  void idleChainWaitsForTransactionsThenCommitsThemPromptly() {
    Scenario s = new Scenario(7);
    s.settleMillis = 0;
    s.runAfterSettle = 3000;
    s.submitUntil = 0;
    byte[] body = "Tlate".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Transaction late = new Transaction(Digest.sha256(body), body);
    s.extraSetup.add(() -> s.sim.at(2000, () -> {
      for (int i = 0; i < 4; i++) {
        s.sim.replica(i).submit(s.sim, java.util.List.of(late));
      }
    }));
    s.run().assertSafe();
    HonestReplica h = s.honest.get(0);
    long rounds = h.core.round();
    // Without the idle wait rounds take ~2 network delays (< 20 ms): well over 150 in 3 s.
    assertTrue(rounds < 3000 / Scenario.CONFIG.idleProposalDelayMillis() + 10, "rounds " + rounds);
    for (HonestReplica v : s.honest) {
      int at = -1;
      for (int i = 0; i < v.committed.size(); i++) {
        if (v.committed.get(i).transactions().stream().anyMatch(tx -> tx.id().equals(late.id()))) {
          at = i;
        }
      }
      assertTrue(at >= 0, "the late transaction was committed at validator " + v.index);
      long latency = v.commitTimes.get(at) - 2000;
      // A few network delays (at most 10 ms each here), not idle waits.
      assertTrue(latency < 100, "commit latency from idle " + latency + " ms at " + v.index);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12})
  void equivocatingLeaderIsDetectedAndCannotSplitTheChain(long seed) {
    Scenario s = chaotic(seed).byzantine(1, ByzantineReplicas.Kind.EQUIVOCATING_LEADER);
    s.run().assertSafe().assertLive(5);
    var leader = (ByzantineReplicas.EquivocatingLeader) s.replicas[1];
    assertTrue(leader.equivocations > 5, "equivocations " + leader.equivocations);
    long verified = s.honest.stream().flatMap(h -> h.evidence.stream())
        .filter(e -> e.offender() == 1 && e.verify(s.set, s.verifier).accepted()).count();
    assertTrue(verified > 0, "honest validators produced checkable evidence");
  }

  @ParameterizedTest
  @ValueSource(longs = {21, 22})
  void validatorVotingForInvalidProofsGetsNothingCommitted(long seed) {
    Scenario s = chaotic(seed).byzantine(2, ByzantineReplicas.Kind.INVALID_PROOF_VOTER);
    s.invalidTransactions = true;
    s.run().assertSafe().assertLive(5);
    long refusedBlocks = s.honest.stream().flatMap(h -> h.rejectedTransactions.stream())
        .filter(r -> r.blockId() != null && r.reason().startsWith("PoWork")).count();
    assertTrue(refusedBlocks > 0, "honest validators refused the invalid leader's blocks");
  }

  @ParameterizedTest
  @ValueSource(longs = {31, 32})
  void replayedOldVotesAreIgnored(long seed) {
    Scenario s = chaotic(seed).byzantine(3, ByzantineReplicas.Kind.VOTE_REPLAYER);
    s.run().assertSafe().assertLive(5);
    assertTrue(((ByzantineReplicas.VoteReplayer) s.replicas[3]).replayed > 1000);
  }

  @ParameterizedTest
  @ValueSource(longs = {41, 42})
  void forgedSignaturesAreRejected(long seed) {
    Scenario s = chaotic(seed).byzantine(0, ByzantineReplicas.Kind.FORGER);
    s.run().assertSafe().assertLive(5);
    for (HonestReplica h : s.honest) {
      assertTrue(h.rejectedMessages > 10, "validator " + h.index + " rejected " + h.rejectedMessages);
      assertTrue(h.undecodable > 10, "validator " + h.index + " undecodable " + h.undecodable);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {61, 62})
  void leaderProposingOnAStaleQcAfterATimeoutCannotRevertCommits(long seed) {
    Scenario s = chaotic(seed).byzantine(1, ByzantineReplicas.Kind.STALE_QC_LEADER);
    s.run().assertSafe().assertLive(3);
    assertTrue(((ByzantineReplicas.StaleQcLeader) s.replicas[1]).staleProposals > 0);
  }

  @ParameterizedTest
  @ValueSource(longs = {51, 52})
  void silentValidatorDoesNotStopCommits(long seed) {
    chaotic(seed).byzantine(2, ByzantineReplicas.Kind.SILENT).run().assertSafe().assertLive(5);
  }
}
