package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Authorization of a validator-set change, and the next epoch's set derived from it. */
class EpochChangeTest {

  private final TestSignatures sigs = new TestSignatures(7, 42);
  private final SignatureVerifier verifier = sigs.verifier();
  private final ValidatorSet set0 = TestTiming.set("valset", sigs.publicKeys().subList(0, 4));
  private final List<byte[]> next = sigs.publicKeys().subList(3, 7);

  private EpochChange signedBy(ValidatorSet under, List<byte[]> keys, int... signers) {
    TreeMap<Integer, byte[]> s = new TreeMap<>();
    for (int i : signers) {
      s.put(i, EpochChange.sign(under, keys, sigs.signer(i)));
    }
    return new EpochChange(keys, s);
  }

  private static void assertRejected(String part, Verdict v) {
    assertTrue(v.rejected(), "accepted, expected: " + part);
    assertTrue(v.reason().contains(part), v.reason());
  }

  @Test
  void aQuorumOfTheCurrentSetAuthorizesTheChange() {
    EpochChange c = signedBy(set0, next, 0, 1, 3);
    assertTrue(c.verify(set0, verifier).accepted());
    EpochChange decoded = EpochChange.decode(c.encode()).orElseThrow();
    assertEquals(3, decoded.signatures().size());
    assertArrayEquals(c.encode(), decoded.encode());
    assertTrue(EpochChange.verifyPayload(c.encode(), set0, verifier).accepted());
  }

  @Test
  void refusalsSayWhy() {
    assertRejected("needs a quorum of 3", signedBy(set0, next, 0, 1).verify(set0, verifier));
    TreeMap<Integer, byte[]> s = new TreeMap<>(signedBy(set0, next, 0, 1, 2).signatures());
    s.put(5, EpochChange.sign(set0, next, sigs.signer(5)));
    assertRejected("signer 5 is not a validator of epoch 0",
        new EpochChange(next, s).verify(set0, verifier));
    TreeMap<Integer, byte[]> forged = new TreeMap<>(signedBy(set0, next, 0, 1, 2).signatures());
    forged.put(1, EpochChange.sign(set0, next, sigs.signer(4)));
    assertRejected("bad signature from validator 1",
        new EpochChange(next, forged).verify(set0, verifier));
    assertRejected("at least 2", signedBy(set0, next.subList(0, 1), 0, 1, 2)
        .verify(set0, verifier));
    List<byte[]> dup = List.of(next.get(0), next.get(1), next.get(0));
    assertRejected("lists key 2 twice", signedBy(set0, dup, 0, 1, 2).verify(set0, verifier));
    assertRejected("malformed", EpochChange.verifyPayload(new byte[] {0, 1, 0}, set0, verifier));
    byte[] trailing = java.util.Arrays.copyOf(signedBy(set0, next, 0, 1, 2).encode(), 300);
    assertRejected("malformed", EpochChange.verifyPayload(trailing, set0, verifier));
    // Signatures over other keys do not carry over.
    EpochChange other = signedBy(set0, sigs.publicKeys().subList(2, 6), 0, 1, 2);
    assertRejected("bad signature",
        new EpochChange(next, other.signatures()).verify(set0, verifier));
  }

  @Test
  void theNextEpochSignsUnderItsOwnChainIdFromTheBaseBlock() {
    Block base = new Block(7, 1, 1, set0.genesisQc(), TestTiming.first(set0, 5), List.of());
    ValidatorSet set1 = set0.next(next, base.id(), base.height(), base.time());
    assertEquals(1, set1.epoch());
    assertEquals(set0.chainId(), set1.chainId());
    assertEquals(ValidatorSet.epochSigningChainId(set0.chainId(), 1, base.id()),
        set1.signingChainId());
    assertNotEquals(set0.signingChainId(), set1.signingChainId());
    assertEquals(base.id(), set1.genesisQc().blockId());
    assertEquals(1, set1.genesisQc().height());
    CommittedTip tip = CommittedTip.genesis(set1);
    assertEquals(base.id(), tip.id());
    assertEquals(base.time(), tip.time());
    // An authorization of epoch 1 is not one for epoch 2: the signing chain id moved on.
    EpochChange c = signedBy(set0, next, 0, 1, 2);
    assertRejected("bad signature", c.verify(
        set1.next(set0.publicKeys(), Digest.sha256(new byte[] {9}), 9, base.time()), verifier));
    // A vote of epoch 0 does not verify in epoch 1, even from a validator in both sets.
    Block child = new Block(1, 2, 0, set1.genesisQc(), set1.timing().next(base.time(), 9),
        List.of());
    Vote v0 = Vote.sign(VoteData.of(child), 0, sigs.signer(3), set0.signingChainId());
    assertTrue(new Vote(v0.data(), 0, v0.signature()).verify(set1, verifier).rejected());
    Vote v1 = Vote.sign(VoteData.of(child), 0, sigs.signer(3), set1.signingChainId());
    assertTrue(v1.verify(set1, verifier).accepted());
  }
}
