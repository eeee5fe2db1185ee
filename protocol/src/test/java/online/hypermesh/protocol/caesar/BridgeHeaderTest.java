package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.proof.Transaction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inclusion proofs over header chains from a remote chain of 4 real FALCON-1024 validators: the
 * certificate of a descendant commits the block holding the lock through the headers between.
 */
class BridgeHeaderTest {

  private static List<KeyPair> setA;
  private static final Digest ALICE = LedgerTest.id("alice");
  private static final Digest BOB = LedgerTest.id("bob");
  private static final BlockTime AT = new BlockTime(1, 1_000);

  @BeforeAll
  static void keys() {
    setA = BridgeFixture.keys(4);
  }

  private final BridgeFixture chainA = new BridgeFixture("header chain A", setA);
  private final Digest chainB = LedgerTest.id("header chain B");
  private final Ledger ledgerB = new Ledger(new CaesarParameters(0, 0, 10, 0, 0),
      new Genesis(Map.of(ALICE, 5L), Map.of(), 0, new BlockTime(0, 0)));
  private final BridgeEscrow escrowB = new BridgeEscrow(chainB,
      new BridgeLightClient(chainA.set(), 1, new FalconVerifier(), new EnvelopeReader()), ledgerB);

  /**
   * A block holding a lock for Bob at index 1, then {@code above} blocks, the last committed: a
   * proof of {@code above + 1} headers.
   */
  private InclusionProof lockedUnder(int above, long amount) {
    return lockedUnder(above, chainA.caesar(new CaesarTransaction.Lock(0, chainB, BOB, amount)));
  }

  private InclusionProof lockedUnder(
      int above, online.hypermesh.protocol.consensus.bft.Transaction lock) {
    List<online.hypermesh.protocol.consensus.bft.Transaction> txs = List.of(
        chainA.caesar(new CaesarTransaction.Bond(9, 1)),
        lock,
        chainA.caesar(new CaesarTransaction.Transfer(3, BOB, 2, "x")));
    if (above == 0) {
      return chainA.commit(txs).proof(1);
    }
    List<Block> blocks = new ArrayList<>();
    blocks.add(chainA.append(txs));
    for (int i = 1; i < above; i++) {
      blocks.add(chainA.append(List.of()));
    }
    BridgeFixture.Committed top = chainA.commit(List.of());
    blocks.add(top.block());
    return InclusionProof.of(blocks, top.certificate(), 1);
  }

  private CaesarTransaction.Redeem claim(long amount, InclusionProof p) {
    return BridgeFixture.attested(new CaesarTransaction.Redeem(chainA.chainId, BOB, amount, p));
  }

  private static CaesarTransaction.Redeem relayed(CaesarTransaction.Redeem r) {
    return (CaesarTransaction.Redeem) ((CaesarCodec.Valid) CaesarCodec.decode(
        CaesarCodec.encode(r))).transaction();
  }

  private static void assertRefused(Rejection reason, String detailPart, Outcome o) {
    assertTrue(o instanceof Outcome.Rejected r && r.reason() == reason
        && r.detail().contains(detailPart), o.toString());
  }

  @Test
  void aLockUnderThreeHeadersCommittedByTheTopCertificateRedeemsOnce() {
    InclusionProof p = lockedUnder(2, 4_000);
    assertEquals(3, p.headers().size());
    assertEquals(p.certified().height(), p.certificate().height());
    assertEquals(p.block().height() + 2, p.certificate().height());
    CaesarTransaction.Redeem r = relayed(claim(4_000, p));
    assertEquals(chainA.chainId, r.sourceChain());
    assertEquals(p.headers(), r.proof().headers());
    assertEquals(new Outcome.Applied(4_000), BridgeTest.redeem(escrowB, r, AT));
    assertEquals(4_000, ledgerB.balance(BOB, 1_000));
    assertEquals(1, escrowB.redeemedCount());
    assertRefused(Rejection.REPLAYED_LOCK, "was redeemed", BridgeTest.redeem(escrowB, r, AT));
    assertEquals(4_000, ledgerB.bridgedIn(chainA.chainId));
  }

  @Test
  void brokenLinkageTamperedPathsAndWrongCountsAreRefused() {
    InclusionProof p = lockedUnder(2, 4_000);
    List<BlockHeader> h = p.headers();
    Digest before = escrowB.stateDigest();

    // A header left out: the top no longer extends the first.
    InclusionProof gap = new InclusionProof(List.of(h.get(0), h.get(2)), p.certificate(),
        p.transaction(), 1, p.path());
    assertRefused(Rejection.NOT_CERTIFIED, "header 1 (block " + h.get(2).id() + " at height "
        + h.get(2).height() + ") does not extend header 0",
        BridgeTest.redeem(escrowB, claim(4_000, gap), AT));
    // Out of order.
    InclusionProof swapped = new InclusionProof(List.of(h.get(1), h.get(0), h.get(2)),
        p.certificate(), p.transaction(), 1, p.path());
    assertRefused(Rejection.NOT_CERTIFIED, "does not extend",
        BridgeTest.redeem(escrowB, claim(4_000, swapped), AT));
    // The certificate commits the top, not a chain that stops below it.
    InclusionProof shortChain = new InclusionProof(h.subList(0, 2), p.certificate(),
        p.transaction(), 1, p.path());
    assertRefused(Rejection.NOT_CERTIFIED, "not block " + h.get(1).id(),
        BridgeTest.redeem(escrowB, claim(4_000, shortChain), AT));
    // A first header claiming 4 transactions is another block: its child does not extend it.
    BlockHeader b = h.get(0);
    BlockHeader recounted = new BlockHeader(b.round(), b.height(), b.proposer(), b.time(),
        b.parentId(), b.qcDigest(), 4, b.transactionRoot());
    assertRefused(Rejection.NOT_CERTIFIED, "does not extend header 0 (block " + recounted.id(),
        BridgeTest.redeem(escrowB, claim(4_000, new InclusionProof(
            List.of(recounted, h.get(1), h.get(2)), p.certificate(), p.transaction(), 1,
            p.path())), AT));
    // The certified header's count (3) does not admit index 3.
    assertRefused(Rejection.BAD_INCLUSION_PROOF, "not at index 3 of the 3 transactions",
        BridgeTest.redeem(escrowB, claim(4_000, new InclusionProof(h, p.certificate(),
            p.transaction(), 3, p.path())), AT));
    // A tampered path hash.
    List<Digest> path = new ArrayList<>(p.path());
    path.set(0, LedgerTest.id("tampered"));
    assertRefused(Rejection.BAD_INCLUSION_PROOF, "is not at index 1",
        BridgeTest.redeem(escrowB, claim(4_000, new InclusionProof(h, p.certificate(),
            p.transaction(), 1, path)), AT));
    // A claim from another chain is not this escrow's.
    assertRefused(Rejection.WRONG_CHAIN, "this escrow bridges chain " + chainA.chainId,
        BridgeTest.redeem(escrowB, new CaesarTransaction.Redeem(chainB, BOB, 4_000, p), AT));
    assertEquals(0, ledgerB.balance(BOB, 1_000));
    // The certificate was remembered (a refused claim still taught the client its height).
    assertNotEquals(before, escrowB.stateDigest());
    assertEquals(new Outcome.Applied(4_000), BridgeTest.redeem(escrowB, claim(4_000, p), AT));
  }

  @Test
  void sixteenHeadersVerifyButSeventeenAreRefusedAndSizesAreMeasured() {
    InclusionProof p17 = lockedUnder(16, 700);
    assertEquals(17, p17.headers().size());
    assertRefused(Rejection.BAD_INCLUSION_PROOF, "17 headers, at most 16",
        BridgeTest.redeem(escrowB, claim(700, p17), AT));
    assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(claim(700, p17)));

    InclusionProof p16 = new InclusionProof(p17.headers().subList(1, 17), p17.certificate(),
        p17.transaction(), 1, p17.path());
    // Sixteen headers link, but the lock is in the block below them: the path fails there.
    assertRefused(Rejection.BAD_INCLUSION_PROOF, "is not at index 1",
        BridgeTest.redeem(escrowB, claim(700, p16), AT));

    InclusionProof full = lockedUnder(15, 800);
    assertEquals(16, full.headers().size());
    assertTrue(escrowB.check(claim(800, full)).isEmpty());

    // Sizes with 4 FALCON-1024 validators: a header commits its parent QC by digest, so its size
    // is fixed; the proof of 16 headers now fits the payload with room to spare.
    int header = Codec.encodeHeader(full.headers().get(1)).length;
    int cert = Codec.encode(full.certificate()).length;
    byte[] payload = CaesarCodec.encode(claim(800, full));
    System.out.println("measured: header " + header + " B, commit certificate " + cert
        + " B, lock envelope body " + full.transaction().body().length + " B, 16-header proof "
        + "with " + claim(800, full).attestations().size() + " attestations " + payload.length
        + " B of " + Transaction.MAX_PAYLOAD_BYTES);
    assertEquals(BlockHeader.ENCODED_BYTES, header);
    for (BlockHeader h : full.headers()) {
      assertEquals(header, Codec.encodeHeader(h).length);
    }
    assertTrue(header <= CaesarCodec.MAX_HEADER_BYTES);
    assertTrue(16 * (4 + header) < 3_000, "16 headers take " + 16 * (4 + header) + " B");
    assertTrue(payload.length < 16_000, "payload of " + payload.length + " B");
    assertEquals(new Outcome.Applied(800),
        BridgeTest.redeem(escrowB, relayed(claim(800, full)), AT));
  }

  @Test
  void sixteenHeadersWithARealSizedLockAndTwoAttestationsFitThePayload() {
    var lock = chainA.heavyCaesar(new CaesarTransaction.Lock(0, chainB, BOB, 950), 19_456);
    assertEquals(new CaesarTransaction.Lock(0, chainB, BOB, 950),
        new EnvelopeReader().caesar(lock.body()).orElseThrow());
    InclusionProof p = lockedUnder(15, lock);
    assertEquals(16, p.headers().size());
    CaesarTransaction.Redeem r = claim(950, p);
    assertEquals(2, r.attestations().size());
    byte[] payload = CaesarCodec.encode(r);
    System.out.println("measured: 16 headers, 4 validators, 2 attestations, body "
        + lock.body().length + " B: payload " + payload.length + " B of "
        + Transaction.MAX_PAYLOAD_BYTES);
    assertTrue(payload.length < Transaction.MAX_PAYLOAD_BYTES);
    // 16 headers and the 19 KiB body are most of it; the certificate holds 3 signatures.
    assertTrue(payload.length > 19_456 + 16 * BlockHeader.ENCODED_BYTES, payload.length + " B");
    assertTrue(payload.length < 32_000, payload.length + " B");
    assertEquals(new Outcome.Applied(950), BridgeTest.redeem(escrowB, relayed(r), AT));
    assertEquals(950, ledgerB.balance(BOB, 1_000));
  }

  @Test
  void checkNeverFreezesOnAConflictingCertificateAndRedeemDoes() {
    BridgeFixture fork = chainA.fork();
    InclusionProof honest = lockedUnder(0, 500);
    BridgeFixture.Committed other = fork.commit(List.of(fork.caesar(
        new CaesarTransaction.Lock(0, chainB, BOB, 500))));
    assertEquals(honest.block().height(), other.block().height());
    assertEquals(new Outcome.Applied(500), BridgeTest.redeem(escrowB, claim(500, honest), AT));
    CaesarTransaction.Redeem conflicting = claim(500, other.proof(0));
    Digest before = escrowB.stateDigest();
    for (int i = 0; i < 2; i++) {
      Outcome.Rejected r = escrowB.check(conflicting).orElseThrow();
      assertEquals(Rejection.CONFLICTING_BLOCKS, r.reason());
      assertFalse(escrowB.lightClient().frozen());
      assertEquals(before, escrowB.stateDigest());
    }
    assertRefused(Rejection.CONFLICTING_BLOCKS, "frozen",
        BridgeTest.redeem(escrowB, conflicting, AT));
    assertTrue(escrowB.lightClient().frozen());
    assertNotEquals(before, escrowB.stateDigest());
    assertEquals(Rejection.BRIDGE_FROZEN,
        escrowB.check(claim(500, honest)).orElseThrow().reason());
  }

  @Test
  void aValidatorSetChangeMustBeProvenInItsOwnBlock() {
    List<KeyPair> next = BridgeFixture.keys(4);
    List<Block> blocks = List.of(chainA.append(List.of(chainA.validatorSetChange(next))));
    BridgeFixture.Committed top = chainA.commit(List.of());
    InclusionProof through = InclusionProof.of(
        List.of(blocks.get(0), top.block()), top.certificate(), 0);
    Digest before = escrowB.stateDigest();
    assertRefused(Rejection.BAD_INCLUSION_PROOF, "through 2 headers",
        escrowB.followValidatorSet(through));
    assertEquals(0, escrowB.lightClient().epoch());
    assertEquals(before, escrowB.stateDigest());
    assertEquals(1, escrowB.lightClient().trustedFromHeight());
  }
}
