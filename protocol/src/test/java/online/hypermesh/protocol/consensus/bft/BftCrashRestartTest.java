package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A validator restarted from what it persisted (the {@link Step#persist()} outputs, through the
 * codec) never signs a second vote for a round, even when it died right after persisting and
 * before its messages left.
 */
class BftCrashRestartTest {

  @Test
  void validatorsCrashingAtTheWorstMomentNeverDoubleVoteAndCatchUp() {
    Scenario s = new Scenario(77).network(new Simulation.Network(0, 0.02, 1, 15, 15, List.of()));
    s.settleMillis = 0;
    s.runAfterSettle = 8000;
    // One validator at a time (at most f) dies right after a persist and restarts soon after.
    for (int k = 0; k < 18; k++) {
      long at = 200 + k * 400L;
      s.crashAndRestart(k % 4, at, at + 120 + (k % 3) * 60);
    }
    s.run().assertSafe();
    assertTrue(s.honest.stream().mapToInt(h -> h.restarts).sum() >= 18);
    assertTrue(s.sim.monitor.votesSeen > 300, "votes " + s.sim.monitor.votesSeen);
    long max = s.honest.stream().mapToLong(HonestReplica::height).max().orElseThrow();
    assertTrue(s.minHonestHeight() >= 50, "lowest height " + s.minHonestHeight());
    assertTrue(max - s.minHonestHeight() <= 5, "restarted validators caught up: " + s.summary());
  }

  @Test
  void validatorRestartedAfterVotingIsShownTheLeadersOtherProposalAndDoesNotVoteForIt() {
    int byzantine = 1;
    Scenario s = new Scenario(79).byzantine(byzantine, ByzantineReplicas.Kind.EQUIVOCATING_LEADER);
    s.settleMillis = 0;
    s.runAfterSettle = 6000;
    int[] shown = new int[1];
    s.extraSetup.add(() -> {
      var leader = (ByzantineReplicas.EquivocatingLeader) s.replicas[byzantine];
      for (int k = 0; k < 12; k++) {
        int node = new int[] {0, 2, 3}[k % 3];
        HonestReplica h = (HonestReplica) s.replicas[node];
        long at = 300 + k * 450L;
        // Die right after persisting a vote in a round the equivocator leads, before it is sent.
        s.sim.at(at, () -> h.dieWhen = state -> state.lastVote() != null
            && state.lastVote().round() == state.lastVotedRound()
            && s.set.leader(state.lastVotedRound()) == byzantine);
        s.sim.at(at + 300, () -> {
          if (s.sim.isDown(node)) {
            s.sim.restart(node);
            leader.showTwinsTo(s.sim, node);
            shown[0]++;
          } else {
            h.dieWhen = state -> false;
          }
        });
      }
    });
    s.run().assertSafe().assertLive(5);
    assertTrue(shown[0] >= 6, "restarts right after voting for the equivocator: " + shown[0]);
  }

  @Test
  void twoOfFourStoppedCommitsNothingUntilTheyReturn() {
    Scenario s = new Scenario(78);
    s.settleMillis = 0;
    s.runAfterSettle = 6000;
    Map<String, Long> heights = new HashMap<>();
    s.extraSetup.add(() -> {
      s.sim.at(1000, () -> {
        s.sim.crash(1);
        s.sim.crash(2);
      });
      s.sim.at(1300, () -> heights.put("stopped", s.honest.get(0).height()));
      s.sim.at(3500, () -> {
        heights.put("before-return", s.honest.get(0).height());
        heights.put("before-return-3", s.honest.get(3).height());
        s.sim.restart(1);
        s.sim.restart(2);
      });
    });
    s.run().assertSafe();
    assertTrue(heights.get("stopped") > 10, "committed before the stop: " + heights);
    assertEquals(heights.get("stopped"), heights.get("before-return"), "nothing commits with 2 of 4");
    assertTrue(s.minHonestHeight() > heights.get("before-return") + 20, s.summary());
  }

  // ---------------------------------------------------------------- one validator, by hand

  private final TestSignatures keys = new TestSignatures(4, 5);
  private final ValidatorSet set = TestTiming.set("crash-chain", keys.publicKeys());

  private Proposal roundOneProposal(String tag) {
    byte[] body = ("T" + tag).getBytes(StandardCharsets.UTF_8);
    Block block = new Block(1, 1, set.leader(1), set.genesisQc(), TestTiming.first(set, 50),
        List.of(new Transaction(Digest.sha256(body), body)));
    return Proposal.sign(block, null, keys.signer(set.leader(1)), set.chainId());
  }

  private BftCore validator3(SafetyState persisted) {
    BftCore core = persisted == null
        ? BftCore.create(Scenario.CONFIG, set, 3, keys.signer(3), keys.verifier(), Scenario.VALIDATOR,
            () -> 100)
        : BftCore.restore(Scenario.CONFIG, set, 3, keys.signer(3), keys.verifier(),
            Scenario.VALIDATOR, persisted, CommittedTip.genesis(set), () -> 100);
    core.start();
    return core;
  }

  private static Vote voteIn(Step step) {
    return step.outputs().stream()
        .filter(o -> o instanceof Output.Send s && s.message() instanceof Vote)
        .map(o -> (Vote) ((Output.Send) o).message()).findFirst().orElse(null);
  }

  @Test
  void restoredValidatorResendsItsVoteButNeverVotesForAConflictingBlock() {
    Proposal a = roundOneProposal("a");
    Proposal b = roundOneProposal("b");
    int leader = set.leader(1);

    Step voted = validator3(null).handle(new Input.Received(leader, a));
    Vote first = voteIn(voted);
    assertNotNull(first);
    assertNotNull(voted.persist(), "the vote must be persisted before it is sent");
    assertEquals(1, voted.persist().lastVotedRound());
    SafetyState onDisk = Codec.decodeSafetyState(Codec.encode(voted.persist())).value();

    BftCore restarted = validator3(onDisk);
    Step conflicting = restarted.handle(new Input.Received(leader, b));
    assertNull(voteIn(conflicting), "no vote for a second block in round 1 after restart");
    // Having seen b, a second proposal for round 1 is the leader's equivocation, not a vote.
    Step both = restarted.handle(new Input.Received(leader, a));
    assertNull(voteIn(both));
    assertTrue(both.outputs().stream().anyMatch(o -> o instanceof Output.EquivocationDetected e
        && e.evidence().verify(set, keys.verifier()).accepted()));

    Step again = validator3(onDisk).handle(new Input.Received(leader, a));
    Vote resent = voteIn(again);
    assertNotNull(resent, "the same vote may be re-sent");
    assertEquals(first.data(), resent.data());
    assertNull(again.persist());

    // Negative control: a validator that forgot its state votes again, for the other block.
    Vote amnesiac = voteIn(validator3(null).handle(new Input.Received(leader, b)));
    assertNotNull(amnesiac);
    assertNotEquals(first.data(), amnesiac.data());
  }

  @Test
  void validatorThatTimedOutNeverVotesInThatRoundAfterRestart() {
    BftCore core = validator3(null);
    Step timedOut = core.handle(new Input.TimerExpired(1));
    assertNotNull(timedOut.persist());
    assertTrue(timedOut.outputs().stream().anyMatch(
        o -> o instanceof Output.Broadcast br && br.message() instanceof Timeout));
    BftCore restarted = validator3(timedOut.persist());
    assertNull(voteIn(restarted.handle(new Input.Received(set.leader(1), roundOneProposal("a")))));
    // And it re-broadcasts the same timeout rather than signing a new one.
    Step again = restarted.handle(new Input.TimerExpired(1));
    assertNull(again.persist());
    Timeout resent = again.outputs().stream()
        .filter(o -> o instanceof Output.Broadcast br && br.message() instanceof Timeout)
        .map(o -> (Timeout) ((Output.Broadcast) o).message()).findFirst().orElseThrow();
    assertEquals(timedOut.persist().lastTimeout().round(), resent.round());
    assertFalse(restarted.safety().lastVotedRound() < 1);
  }
}
