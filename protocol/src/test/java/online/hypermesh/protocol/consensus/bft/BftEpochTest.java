package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Validator-set changes in the simulator: six nodes, epoch 0 run by nodes 0-3, a change to nodes
 * 2-5 authorized by a quorum of epoch 0 and submitted while transactions keep flowing (pipelined
 * proposals). Every honest node must halt epoch 0 at the same block, commit nothing carrying
 * transactions above the change in epoch 0, and carry on in epoch 1 from that block with the new
 * set only; a Byzantine validator that ignores the change and keeps proposing full blocks above it
 * gets none of them committed.
 */
class BftEpochTest {

  static final class Run {
    final long seed;
    final Simulation sim;
    final List<EpochHost> hosts = new ArrayList<>();
    final ValidatorSet set0;
    final List<byte[]> newKeys;
    final Map<Long, Simulation.Monitor> monitors = new HashMap<>();
    final SignatureVerifier verifier;
    final long end;

    Run(long seed, Simulation.Network network, int stuffer, long changeAt, long end) {
      this.seed = seed;
      this.end = end;
      TestSignatures sigs = new TestSignatures(6, seed);
      List<byte[]> keys = sigs.publicKeys();
      verifier = sigs.verifier();
      EpochHost.Plan plan = new EpochHost.Plan(keys, sigs::signer, verifier, Scenario.CONFIG,
          Scenario.VALIDATOR, monitors);
      set0 = TestTiming.set("epochs-" + seed, keys.subList(0, 4));
      newKeys = keys.subList(2, 6);
      Simulation.Replica[] replicas = new Simulation.Replica[6];
      for (int i = 0; i < 6; i++) {
        EpochHost h = new EpochHost(i, plan, set0, new int[] {0, 1, 2, 3}, i == stuffer);
        hosts.add(h);
        replicas[i] = h;
      }
      sim = new Simulation(seed, network, replicas);
      TreeMap<Integer, byte[]> signatures = new TreeMap<>();
      for (int i = 0; i < 3; i++) {
        signatures.put(i, EpochChange.sign(set0, newKeys, sigs.signer(i)));
      }
      byte[] payload = new EpochChange(newKeys, signatures).encode();
      byte[] body = new byte[payload.length + 1];
      body[0] = 'E';
      System.arraycopy(payload, 0, body, 1, payload.length);
      Transaction change = new Transaction(Digest.sha256(body), body);
      Random txRandom = new Random(seed * 31 + 7);
      for (long t = 5; t < end - 300; t += 25) {
        long at = t;
        sim.at(t, () -> {
          List<Transaction> txs = new ArrayList<>();
          for (int i = 0; i < 2; i++) {
            byte[] b = new byte[24 + txRandom.nextInt(40)];
            txRandom.nextBytes(b);
            b[0] = 'T';
            txs.add(new Transaction(Digest.sha256(b), b));
          }
          if (at == changeAt) {
            txs.add(change);
          }
          for (EpochHost h : hosts) {
            h.submit(sim, txs);
          }
        });
      }
    }

    Run run() {
      sim.run(end);
      return this;
    }

    List<EpochHost> honest() {
      return hosts.stream().filter(h -> !h.stuffer).toList();
    }

    /** Safety across both epochs, and progress of the new set. */
    Run check(int newBlocks) {
      String where = " (seed " + seed + ")";
      monitors.forEach((e, m) -> assertEquals(List.of(), m.violations, "epoch " + e + where));
      EpochHost first = null;
      for (EpochHost h : honest()) {
        assertEquals(List.of(), h.faults, "faults at node " + h.node + where);
        assertEquals(1, h.endings.size(), "node " + h.node + " ended epoch 0 once" + where);
        if (first == null) {
          first = h;
        }
        EpochHost.Ending e = h.endings.get(0);
        EpochHost.Ending f = first.endings.get(0);
        assertEquals(f.base().id(), e.base().id(), "epoch 0 base at node " + h.node + where);
        assertEquals(f.change().id(), e.change().id(), "change block at node " + h.node + where);
        // The ending certificate is the old set's, and commits exactly the base block.
        assertTrue(e.certificate().verify(set0, verifier).accepted(), where);
        assertTrue(e.certificate().certifies(e.base()), where);
        // Votes on the base's child certify the base; nothing higher is ever signed in epoch 0.
        assertTrue(h.maxVotedHeightInEpoch0 <= e.base().height() + 1, "node " + h.node
            + " voted at height " + h.maxVotedHeightInEpoch0 + " in epoch 0, base at "
            + e.base().height() + where);
        ValidatorSet set1 = h.set;
        assertEquals(1, set1.epoch());
        assertEquals(e.base().height(), set1.genesisHeight());
        assertFalse(set1.signingChainId().equals(set0.signingChainId()));
        for (int i = 0; i < h.committed.size(); i++) {
          Block b = h.committed.get(i);
          assertEquals(i + 1, b.height(), "heights continue across the epoch" + where);
          if (i > 0) {
            assertEquals(h.committed.get(i - 1).id(), b.parentId(), "parent link" + where);
          }
          if (h.committedEpoch.get(i) == 0 && b.height() > e.change().height()) {
            // Had it followed its parent in the next round, the parent's certificate would have
            // ended the epoch there (what ChainState and the bridge check too).
            assertTrue(b.round() != h.committed.get(i - 1).round() + 1,
                "epoch 0 went on past a 2-chain above the change" + where);
            assertTrue(b.transactions().isEmpty(),
                "epoch 0 committed " + b + " above the change with transactions" + where);
            assertTrue(b.height() <= e.base().height(), where);
          }
          if (h.committedEpoch.get(i) == 1) {
            assertTrue(b.height() > e.base().height(), where);
            CommitCertificate c = h.certificates.get(i);
            assertTrue(c.verify(set1, verifier).accepted(), "epoch 1 certificate" + where);
            assertTrue(c.verify(set0, verifier).rejected(), "old set cannot certify" + where);
          }
        }
        if (h.node < 2) {
          assertTrue(h.retired, "node " + h.node + " left the set" + where);
          assertEquals(0, h.consensusSentAfterRetiring, where);
          assertEquals(null, h.core, where);
        } else {
          long inNew = h.committedEpoch.stream().filter(x -> x == 1).count();
          assertTrue(inNew >= newBlocks, "node " + h.node + " committed " + inNew
              + " blocks in epoch 1" + where);
        }
      }
      for (EpochHost a : honest()) {
        for (EpochHost b : honest()) {
          int common = Math.min(a.committed.size(), b.committed.size());
          for (int i = 0; i < common; i++) {
            assertEquals(a.committed.get(i).id(), b.committed.get(i).id(),
                "nodes " + a.node + " and " + b.node + " disagree at height " + (i + 1) + where);
          }
        }
      }
      return this;
    }

    EpochHost.Ending ending() {
      return honest().get(0).endings.get(0);
    }
  }

  @Test
  void aStableNetworkSwitchesToTheNewSetAtTheChangeBlock() {
    Run r = new Run(11, Scenario.stable(), -1, 505, 3000).run().check(20);
    EpochHost.Ending e = r.ending();
    // Consecutive rounds on a stable network: the change's child commits it directly.
    assertEquals(e.change().id(), e.base().id());
    assertTrue(e.change().height() > 5, "pipelined blocks before the change");
  }

  /**
   * The Byzantine validator runs a core that never ends the epoch and always has transactions to
   * propose. Seeds run until it led the round right after the change (twice): there its full
   * child of the change must get no honest vote, and the epoch ends on the empty block that the
   * next leaders put above the change instead (the change's child is then certified a round late,
   * so the 2-chain that commits the change runs through an empty suffix block).
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3})
  void aLeaderIgnoringTheChangeGetsNothingAboveItCommitted(int stuffer) {
    int hits = 0;
    for (long seed = 100; seed < 200 && hits < 2; seed++) {
      Run r = new Run(seed * 10 + stuffer, Scenario.stable(), stuffer, 505 + 25 * (seed % 8),
          2500).run().check(5);
      EpochHost.Ending e = r.ending();
      if (Math.floorMod(e.change().round() + 1, 4) != stuffer) {
        continue;
      }
      hits++;
      int refused = 0;
      for (EpochHost h : r.honest()) {
        refused += (int) h.rejections.stream()
            .filter(x -> x.contains("above a validator-set change")).count();
      }
      assertTrue(refused > 0, "no honest validator refused the full block above the change"
          + " (seed " + r.seed + ")");
      assertFalse(e.base().id().equals(e.change().id()), "seed " + r.seed);
      assertTrue(e.base().transactions().isEmpty(), "seed " + r.seed);
    }
    assertTrue(hits > 0, "the Byzantine validator never led the round after the change");
  }

  @Test
  void randomSchedulesStaySafeAcrossTheChange() {
    int suffix = 0;
    for (int i = 0; i < 40; i++) {
      long seed = 0xE90C_0000L + i;
      Random random = new Random(seed);
      long gst = 300 + random.nextInt(700);
      int stuffer = random.nextInt(3) == 0 ? -1 : random.nextInt(4);
      long changeAt = 5 + 25 * random.nextInt((int) (gst + 400) / 25);
      Run r = new Run(seed, Scenario.chaotic(random, gst, 6), stuffer, changeAt, gst + 3500)
          .run().check(5);
      EpochHost.Ending e = r.ending();
      if (!e.base().id().equals(e.change().id())) {
        suffix++;
      }
    }
    System.out.println("epoch endings on an empty block above the change: " + suffix + " of 40");
  }
}
