package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.crypto.Falcon;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Relaying from a chain of 32 real FALCON-1024 validators (quorum 22, f + 1 = 11 attestations):
 * headers stay 166 bytes, so the payload is the certificate, the attestations and the body.
 */
class BridgeLargeSetTest {

  private static List<KeyPair> set32;
  private static final Digest BOB = LedgerTest.id("bob");
  private static final BlockTime AT = new BlockTime(1, 1_000);

  @BeforeAll
  static void keys() {
    set32 = BridgeFixture.keys(32);
  }

  private final BridgeFixture chainA = new BridgeFixture("32-validator chain A", set32);
  private final Digest chainB = LedgerTest.id("32-validator chain B");
  private final Ledger ledgerB = new Ledger(new CaesarParameters(0, 0, 10, 0, 0),
      new Genesis(Map.of(LedgerTest.id("alice"), 5L), Map.of(), 0, new BlockTime(0, 0)));
  private final BridgeEscrow escrowB = new BridgeEscrow(chainB,
      new BridgeLightClient(chainA.set(), 1, new FalconVerifier(), new EnvelopeReader()), ledgerB);

  /** The lock at index 0 of a block, 15 blocks above it, the top committed: 16 headers. */
  private InclusionProof sixteenHeaders(
      online.hypermesh.protocol.consensus.bft.Transaction lock) {
    List<Block> blocks = new ArrayList<>();
    blocks.add(chainA.append(List.of(lock)));
    for (int i = 1; i < 15; i++) {
      blocks.add(chainA.append(List.of()));
    }
    BridgeFixture.Committed top = chainA.commit(List.of());
    blocks.add(top.block());
    return InclusionProof.of(blocks, top.certificate(), 0);
  }

  @Test
  void aSixteenHeaderProofFromThirtyTwoValidatorsEncodesAndRedeems() {
    long amount = 1_234;
    var lock = chainA.heavyCaesar(new CaesarTransaction.Lock(0, chainB, BOB, amount), 19_456);
    InclusionProof p = sixteenHeaders(lock);
    assertEquals(16, p.headers().size());
    assertEquals(22, p.certificate().qc().signatures().size());
    CaesarTransaction.Redeem claim = BridgeFixture.attested(
        new CaesarTransaction.Redeem(chainA.chainId, BOB, amount, p));
    assertEquals(11, claim.attestations().size());

    byte[] payload = CaesarCodec.encode(claim);
    int cert = Codec.encode(p.certificate()).length;
    int attestations = claim.attestations().stream().mapToInt(a -> 4 + a.signature().length)
        .sum();
    System.out.println("measured (32 validators): commit certificate " + cert + " B, "
        + claim.attestations().size() + " attestations " + attestations + " B, 16-header proof "
        + "with a " + lock.body().length + " B body " + payload.length + " B of "
        + Transaction.MAX_PAYLOAD_BYTES);
    assertTrue(cert <= CaesarCodec.MAX_CERTIFICATE_BYTES);
    assertTrue(cert > 22 * 1_000, "certificate of " + cert + " B");
    for (BlockHeader h : p.headers()) {
      assertEquals(BlockHeader.ENCODED_BYTES, Codec.encodeHeader(h).length);
    }

    CaesarCodec.Valid back = (CaesarCodec.Valid) CaesarCodec.decode(payload);
    CaesarTransaction.Redeem relayed = (CaesarTransaction.Redeem) back.transaction();
    assertEquals(p.headers(), relayed.proof().headers());
    assertArrayEquals(Codec.encode(p.certificate()),
        Codec.encode(relayed.proof().certificate()));
    assertEquals(RemoteTransfer.lockId(chainA.chainId, lock.id()),
        escrowB.lightClient().checkTransfer(relayed.proof()).value().lockId());
    assertEquals(new Outcome.Applied(amount), BridgeTest.redeem(escrowB, relayed, AT));
    assertEquals(amount, ledgerB.balance(BOB, 1_000));
    // Only 21 of the 22 signatures: not a quorum of 32, refused.
    TreeMap<Integer, byte[]> fewer = new TreeMap<>(p.certificate().qc().signatures());
    fewer.remove(21);
    InclusionProof weak = new InclusionProof(p.headers(), new CommitCertificate(
        new QuorumCert(p.certificate().qc().data(), fewer)), p.transaction(), 0, p.path());
    Outcome o = BridgeTest.redeem(escrowB, BridgeFixture.attested(
        new CaesarTransaction.Redeem(chainA.chainId, BOB, amount, weak)), AT);
    assertTrue(o instanceof Outcome.Rejected r && r.reason() == Rejection.FORGED_CERTIFICATE,
        o.toString());
  }

  /**
   * The documented bound, with every signature at FALCON-1024's 1,462-byte maximum: 16 headers,
   * n - f certificate signatures, f + 1 attestations, a 19,456-byte body and a 15-hash path fit
   * 64 KiB up to n = 28 and not above. (Encoding checks shapes only: the signatures are blobs.)
   */
  @Test
  void withMaximalSignaturesTwentyEightValidatorsIsTheLargestSetThatAlwaysFits() {
    List<BlockHeader> headers = sixteenHeaders(
        chainA.caesar(new CaesarTransaction.Lock(0, chainB, BOB, 5))).headers();
    byte[] body = new byte[19_456];
    Arrays.fill(body, (byte) 7);
    var tx = new online.hypermesh.protocol.consensus.bft.Transaction(Digest.sha256(body), body);
    List<Digest> path = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      path.add(Digest.sha256(("node " + i).getBytes(StandardCharsets.US_ASCII)));
    }
    byte[] maximal = new byte[Falcon.MAX_SIGNATURE_BYTES];
    Arrays.fill(maximal, (byte) 1);
    VoteData data = new VoteData(LedgerTest.id("child"), 40, 20, LedgerTest.id("parent"), 39);
    int largest = 0;
    for (int n = 4; n <= 32; n++) {
      int f = (n - 1) / 3;
      TreeMap<Integer, byte[]> sigs = new TreeMap<>();
      for (int i = 0; i < n - f; i++) {
        sigs.put(i, maximal);
      }
      List<ExecutionAttestation> attestations = new ArrayList<>();
      for (int i = 0; i <= f; i++) {
        attestations.add(new ExecutionAttestation(i, maximal));
      }
      CaesarTransaction.Redeem r = new CaesarTransaction.Redeem(chainA.chainId, BOB, 5,
          new InclusionProof(headers, new CommitCertificate(new QuorumCert(data, sigs)), tx, 0,
              path), attestations);
      int bound = 22_863 + 1_468 * (n - f) + 1_466 * (f + 1);
      if (bound <= Transaction.MAX_PAYLOAD_BYTES) {
        assertEquals(bound, CaesarCodec.encode(r).length, "n = " + n);
        largest = n;
      } else {
        assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(r), "n = " + n);
      }
    }
    assertEquals(28, largest);
  }
}
