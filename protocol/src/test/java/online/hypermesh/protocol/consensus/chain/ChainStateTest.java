package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.Ticks;
import online.hypermesh.protocol.consensus.proof.Transaction;
import org.junit.jupiter.api.Test;

/** Committed blocks with real FALCON certificates applied to the state, and what it refuses. */
class ChainStateTest {

  private final ChainFixture f = new ChainFixture();

  private List<List<Transaction>> transactions(int blocks, int perBlock) {
    BlockTick genesis = f.genesis.genesisTick();
    List<List<Transaction>> all = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < perBlock; i++) {
        txs.add(f.transfer(genesis));
      }
      all.add(txs);
    }
    return all;
  }

  private static List<AppliedTransaction> applyAll(ChainState state, ChainFixture.Chain chain) {
    List<AppliedTransaction> applied = new ArrayList<>();
    for (int i = 0; i < chain.blocks().size(); i++) {
      applied.addAll(state.apply(chain.blocks().get(i), chain.certificates().get(i)));
    }
    return applied;
  }

  @Test
  void appliesCommittedBlocksInOrderAndIndexesTheirTransactions() {
    List<List<Transaction>> txs = transactions(3, 2);
    ChainFixture.Chain chain = f.chain(txs);
    ChainState state = ChainState.genesis(f.genesis);
    assertEquals(0, state.height());
    assertEquals(f.set.genesisId(), state.tipId());

    List<AppliedTransaction> first = state.apply(chain.blocks().get(0), chain.certificates().get(0));
    assertEquals(1, state.height());
    assertEquals(chain.blocks().get(0).id(), state.tipId());
    assertEquals(2, first.size());
    assertEquals(0, first.get(0).index());
    assertEquals(1, first.get(1).index());
    assertEquals(Digest.of(txs.get(0).get(1).id()), first.get(1).id());
    assertEquals(chain.blocks().get(0).id(), first.get(1).blockId());
    assertArrayEquals(txs.get(0).get(1).payload(), first.get(1).transaction().payload());

    for (int i = 1; i < 3; i++) {
      List<AppliedTransaction> applied =
          state.apply(chain.blocks().get(i), chain.certificates().get(i));
      assertEquals(List.of((long) i + 1, (long) i + 1),
          applied.stream().map(AppliedTransaction::height).toList());
    }
    assertEquals(3, state.height());
    assertEquals(chain.blocks().get(2).id(), state.tipId());
    for (int b = 0; b < 3; b++) {
      for (Transaction tx : txs.get(b)) {
        assertEquals(Optional.of((long) b + 1), state.heightOf(Digest.of(tx.id())));
        assertTrue(state.view().seen().contains(tx.id()), "committed ids are in the replay set");
      }
    }
    assertEquals(Optional.empty(), state.heightOf(Digest.sha256(new byte[] {1})));

    // Each block advances its parent's tick by ticksPerBlock hashes of the genesis tick chain
    // (the BFT package's hashing is the proof package's Ticks).
    byte[] tick = Ticks.genesis(f.genesis.tickSeed());
    for (int h = 1; h <= 3; h++) {
      tick = Ticks.advance(tick, ChainFixture.TICKS_PER_BLOCK);
      BlockTick recorded = state.tickAt(h).orElseThrow();
      assertEquals(h * ChainFixture.TICKS_PER_BLOCK, recorded.tickCount());
      assertArrayEquals(tick, recorded.tickHash());
      assertEquals(chain.blocks().get(h - 1).time().timestampMillis(), recorded.timestampMillis());
      assertEquals(ChainFixture.GENESIS_TIME + 500L * h, recorded.timestampMillis());
      assertArrayEquals(chain.blocks().get(h - 1).id().bytes(), recorded.blockHash());
      assertEquals(Optional.of(recorded), state.view().ticks().atTick(recorded.tickCount()));
    }
    assertEquals(3, state.view().ticks().head().orElseThrow().height());
  }

  @Test
  void aCertificateForADescendantHoldsBlocksUntilTheCertifiedOneArrives() {
    ChainFixture.Chain chain = f.chain(transactions(3, 1));
    ChainState state = ChainState.genesis(f.genesis);
    CommitCertificate top = chain.certificates().get(2);
    assertEquals(List.of(), state.apply(chain.blocks().get(0), top));
    assertEquals(List.of(), state.apply(chain.blocks().get(1), top));
    assertEquals(0, state.height());
    assertEquals(2, state.heldBlocks());
    List<AppliedTransaction> applied = state.apply(chain.blocks().get(2), top);
    assertEquals(List.of(1L, 2L, 3L), applied.stream().map(AppliedTransaction::height).toList());
    assertEquals(3, state.height());
    assertEquals(0, state.heldBlocks());

    ChainState oneByOne = ChainState.genesis(f.genesis);
    applyAll(oneByOne, chain);
    assertEquals(oneByOne.stateDigest(), state.stateDigest());
  }

  @Test
  void refusesForgedInsufficientAndMisplacedCommits() {
    ChainFixture.Chain chain = f.chain(transactions(3, 1));
    ChainState state = ChainState.genesis(f.genesis);
    state.apply(chain.blocks().get(0), chain.certificates().get(0));
    Digest before = state.stateDigest();
    Block next = chain.blocks().get(1);
    QuorumCert good = chain.certificates().get(1).qc();

    // Validator 3's signature in validator 1's slot.
    TreeMap<Integer, byte[]> forged = new TreeMap<>(good.signatures());
    forged.put(1, f.qc(chain.blocks().get(2), 3).signatures().get(3));
    assertRefused("bad signature from validator 1", state, next,
        new CommitCertificate(new QuorumCert(good.data(), forged)));

    TreeMap<Integer, byte[]> two = new TreeMap<>(good.signatures());
    two.remove(2);
    assertRefused("has 2 signatures, needs 3", state, next,
        new CommitCertificate(new QuorumCert(good.data(), two)));

    // A QC on a child one round later than next: next is certified, not committed.
    Block late = new Block(4, 3, f.set.leader(4), chain.qcs().get(1), next.time(), List.of());
    assertRefused("not a 2-chain", state, next, new CommitCertificate(f.qc(late)));

    // Wrong height: skipping block 2.
    assertRefused("is at height 3, the next committed height is 2", state,
        chain.blocks().get(2), chain.certificates().get(2));

    // Same height, different parent: a block on a fork from genesis.
    Block fork = f.block(f.qc(chain.blocks().get(0), 1, 2, 3), chain.blocks().get(0).time(),
        List.of());
    Block forkChild = f.child(fork, List.of());
    assertEquals(2, fork.height());
    Block orphan = new Block(2, 2, f.set.leader(2), f.set.genesisQc(), next.time(), List.of());
    assertRefused("has parent", state, orphan, chain.certificates().get(1));

    // A certificate for another block at this height.
    assertRefused("not block", state, fork, chain.certificates().get(1));
    assertRefused("not block", state, next, new CommitCertificate(f.qc(forkChild)));

    // Certified by a quorum, but its tick does not follow its parent's: stop, record nothing.
    BlockTime parentTime = chain.blocks().get(0).time();
    for (BlockTime wrong : List.of(
        new BlockTime(parentTime.tickCount() + 1, next.time().tickHash(), next.time().timestampMillis()),
        new BlockTime(next.time().tickCount(), parentTime.tickHash(), next.time().timestampMillis()),
        new BlockTime(next.time().tickCount(), next.time().tickHash(), parentTime.timestampMillis()))) {
      Block bad = new Block(2, 2, f.set.leader(2), chain.qcs().get(0), wrong, List.of());
      assertRefused("breaks the tick rule", state, bad,
          new CommitCertificate(f.qc(f.child(bad, List.of()))));
    }

    // A certificate below the block.
    assertRefused("below block", state, next, chain.certificates().get(0));

    assertEquals(before, state.stateDigest(), "refusals leave the state unchanged");
    assertEquals(1, state.height());
    state.apply(next, chain.certificates().get(1));
    assertEquals(2, state.height());
  }

  private static void assertRefused(
      String fragment, ChainState state, Block block, CommitCertificate cert) {
    CommitRejectedException e =
        assertThrows(CommitRejectedException.class, () -> state.apply(block, cert));
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  @Test
  void replayingTheChainFromGenesisGivesTheSameState() {
    List<List<Transaction>> txs = transactions(4, 3);
    // Block 4 repeats a transaction of block 1: applied once only, in block 1.
    txs.get(3).set(1, txs.get(0).get(0));
    ChainFixture.Chain chain = f.chain(txs);
    ChainState a = ChainState.genesis(f.genesis);
    List<AppliedTransaction> appliedA = applyAll(a, chain);
    ChainState b = ChainState.genesis(ChainFixture.genesis());
    List<AppliedTransaction> appliedB = applyAll(b, chain);

    assertEquals(11, appliedA.size());
    assertEquals(1, a.skippedTransactions());
    assertEquals(Optional.of(1L), a.heightOf(Digest.of(txs.get(0).get(0).id())));
    assertEquals(appliedA.stream().map(AppliedTransaction::id).toList(),
        appliedB.stream().map(AppliedTransaction::id).toList());
    assertEquals(a.tipId(), b.tipId());
    assertEquals(a.height(), b.height());
    assertEquals(a.transactionIndex(), b.transactionIndex());
    assertEquals(a.stateDigest(), b.stateDigest());
    assertFalse(a.stateDigest().equals(ChainState.genesis(f.genesis).stateDigest()));
  }

  @Test
  void theReplaySetForgetsIdsOnceTheirTickIsStale() {
    // Freshness 100 ticks, 10 ticks per block: a genesis reference is stale after block 11.
    List<List<Transaction>> txs = transactions(1, 1);
    for (int i = 0; i < 11; i++) {
      txs.add(List.of());
    }
    ChainFixture.Chain chain = f.chain(txs);
    ChainState state = ChainState.genesis(f.genesis);
    byte[] id = txs.get(0).get(0).id();
    for (int i = 0; i < 10; i++) {
      state.apply(chain.blocks().get(i), chain.certificates().get(i));
    }
    assertTrue(state.view().seen().contains(id), "tick 0 is 100 ticks behind: still fresh");
    state.apply(chain.blocks().get(10), chain.certificates().get(10));
    assertFalse(state.view().seen().contains(id), "tick 0 is 110 ticks behind: stale");
    assertEquals(Optional.of(1L), state.heightOf(Digest.of(id)), "the index keeps it");
    state.apply(chain.blocks().get(11), chain.certificates().get(11));
    assertTrue(state.tickAt(0).isPresent(), "ticks are kept for twice the window");
  }
}
