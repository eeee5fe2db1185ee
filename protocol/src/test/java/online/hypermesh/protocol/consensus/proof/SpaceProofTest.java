package online.hypermesh.protocol.consensus.proof;

import static online.hypermesh.protocol.consensus.proof.NKryptVerifierTest.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleLog;
import org.junit.jupiter.api.Test;

/** The plot and its challenge: a node has to hold the tree it registered to answer. */
class SpaceProofTest {

  private final ProofFixture f = new ProofFixture();

  @Test
  void plotIsDerivedFromTheAccount() {
    byte[] leaf = Plot.leaf(f.account, 5, 100);
    assertEquals(100, leaf.length);
    assertArrayEquals(leaf, Plot.leaf(f.account, 5, 100));
    assertArrayEquals(Arrays.copyOf(leaf, 64), Plot.leaf(f.account, 5, 64));
    assertFalse(Arrays.equals(leaf, Plot.leaf(f.account, 6, 100)));
    byte[] otherAccount = f.account.clone();
    otherAccount[0] ^= 1;
    assertFalse(Arrays.equals(leaf, Plot.leaf(otherAccount, 5, 100)));
    // The root is the RFC 6962 tree of the derived leaves, however the plot was built.
    MerkleLog tree = new MerkleLog();
    for (long i = 0; i < ProofFixture.PLOT_LEAVES; i++) {
      tree.append(Plot.leaf(f.account, i, ProofFixture.PARAMS.plotLeafBytes()));
    }
    assertArrayEquals(tree.root(), f.plot.root());
  }

  @Test
  void challengeDependsOnBlockTransactionAndWork() {
    byte[] block = MerkleHashes.sha256(new byte[] {1});
    byte[] tx = MerkleHashes.sha256(new byte[] {2});
    long[] indices = SpaceChallenge.indices(block, tx, 5, 1000, 16);
    assertArrayEquals(indices, SpaceChallenge.indices(block, tx, 5, 1000, 16));
    assertFalse(Arrays.equals(indices,
        SpaceChallenge.indices(MerkleHashes.sha256(new byte[] {3}), tx, 5, 1000, 16)));
    assertFalse(Arrays.equals(indices,
        SpaceChallenge.indices(block, MerkleHashes.sha256(new byte[] {3}), 5, 1000, 16)));
    assertFalse(Arrays.equals(indices, SpaceChallenge.indices(block, tx, 6, 1000, 16)));
    for (long index : SpaceChallenge.indices(block, tx, 5, 7, 64)) {
      assertTrue(index >= 0 && index < 7);
    }
    assertThrows(IllegalArgumentException.class, () -> SpaceChallenge.indices(block, tx, 5, 0, 1));
  }

  /**
   * A node that kept the tree of the lower half of its plot only (plus the one hash of the upper
   * half's subtree, so its lower-half paths are right) answers exactly the challenges that fall
   * in the lower half. With k = 8 that is 1 in 256.
   */
  @Test
  void partiallyStoredPlotFails() {
    int n = (int) ProofFixture.PLOT_LEAVES;
    int leafBytes = ProofFixture.PARAMS.plotLeafBytes();
    List<byte[]> kept = new ArrayList<>();
    MerkleLog upper = new MerkleLog();
    for (int i = 0; i < n; i++) {
      byte[] leaf = Plot.leaf(f.account, i, leafBytes);
      if (i < n / 2) {
        kept.add(MerkleHashes.leafHash(leaf));
      } else {
        kept.add(new byte[32]); // dropped
        upper.append(leaf);
      }
    }
    byte[] upperRoot = upper.root();
    MerkleLog partial = MerkleLog.fromLeafHashes(kept);
    NKryptVerifier verifier = f.verifier();
    int rejected = 0;
    int trials = 40;
    for (int t = 0; t < trials; t++) {
      Transaction draft = f.prover.work(f.prover.sign(f.prover.draft(
          TransactionKind.TOKEN_TRANSFER, f.payload(), 1000 + t,
          f.head().timestampMillis() + 1, null, f.head().reference(),
          LocationClaim.of(ProofFixture.ADDRESS, ProofFixture.REGION))));
      long[] indices = SpaceChallenge.indices(f.head().blockHash(), TransactionDigest.of(draft),
          draft.work().nonce(), n, ProofFixture.PARAMS.challengeCount());
      boolean allKept = true;
      List<PlotOpening> openings = new ArrayList<>();
      for (long index : indices) {
        List<byte[]> path = partial.inclusionProof(index, n);
        if (index < n / 2) {
          path.set(path.size() - 1, upperRoot);
        } else {
          allKept = false;
        }
        openings.add(new PlotOpening(Plot.leaf(f.account, index, leafBytes), path));
      }
      Verdict verdict = verifier.verify(
          draft.withSpace(new SpaceProof(draft.space().claim(), openings)));
      if (allKept) {
        assertTrue(verdict.isAccepted(), verdict::toString);
      } else {
        assertRejected(ProofKind.SPACE, "is not in the registered plot", verdict);
        rejected++;
      }
    }
    assertTrue(rejected >= trials - 5, "only " + rejected + " of " + trials + " refused");
  }

  @Test
  void randomAnswerFails() {
    Transaction tx = f.valid();
    List<PlotOpening> random = new ArrayList<>();
    for (int j = 0; j < ProofFixture.PARAMS.challengeCount(); j++) {
      List<byte[]> path = new ArrayList<>();
      for (int d = 0; d < 7; d++) {
        path.add(online.hypermesh.protocol.crypto.Pq.randomBytes(32));
      }
      random.add(new PlotOpening(
          online.hypermesh.protocol.crypto.Pq.randomBytes(ProofFixture.PARAMS.plotLeafBytes()),
          path));
    }
    assertRejected(ProofKind.SPACE, "not the sender's plot data",
        f.verifier().verify(tx.withSpace(new SpaceProof(tx.space().claim(), random))));
  }
}
