package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import org.junit.jupiter.api.Test;

class CaesarCodecTest {

  private static final Digest TO = LedgerTest.id("to");
  private static final Digest CHAIN = LedgerTest.id("chain");
  private static final OwnerAuthorization OWNER = BridgeFixture.ANY_OWNER;

  private static String malformed(byte[] bytes) {
    CaesarCodec.Decoded d = CaesarCodec.decode(bytes);
    assertTrue(d instanceof CaesarCodec.Malformed, "decoded " + d);
    return ((CaesarCodec.Malformed) d).reason();
  }

  @Test
  void everyOperationRoundTripsToOneEncoding() {
    for (CaesarTransaction tx : List.of(
        new CaesarTransaction.Transfer(0, TO, 1, ""),
        new CaesarTransaction.Transfer(Long.MAX_VALUE, TO, Long.MAX_VALUE, "x".repeat(256)),
        new CaesarTransaction.Transfer(5, TO, 77, "loyer — janvier ☕"),
        new CaesarTransaction.Bond(3, 1_000),
        new CaesarTransaction.Unbond(4, 999),
        new CaesarTransaction.Lock(6, CHAIN, TO, 12),
        new CaesarTransaction.Burn(7, CHAIN, TO, 13))) {
      byte[] bytes = CaesarCodec.encode(tx, OWNER);
      assertEquals(new CaesarCodec.Valid(tx, OWNER), CaesarCodec.decode(bytes));
      // Any truncation is refused.
      for (int cut = 0; cut < bytes.length; cut++) {
        malformed(Arrays.copyOf(bytes, cut));
      }
      assertTrue(malformed(Arrays.copyOf(bytes, bytes.length + 1)).contains("after the end"));
    }
    assertEquals("02020000000000000003" + "00000000000003e8" + "01" + "0002" + "3000" + "0003"
        + "010203",
        HexFormat.of().formatHex(CaesarCodec.encode(new CaesarTransaction.Bond(3, 1_000), OWNER)));
    assertEquals("02020000000000000003" + "00000000000003e8",
        HexFormat.of().formatHex(CaesarCodec.operationBytes(new CaesarTransaction.Bond(3, 1_000))));
  }

  @Test
  void aRedemptionRoundTripsWithItsProof() {
    CaesarTransaction.Redeem r = new CaesarTransaction.Redeem(CHAIN, TO, 500, BridgeFixture.anyProof());
    byte[] bytes = CaesarCodec.encode(r);
    CaesarTransaction.Redeem back =
        (CaesarTransaction.Redeem) ((CaesarCodec.Valid) CaesarCodec.decode(bytes)).transaction();
    assertEquals(r.sourceChain(), back.sourceChain());
    assertEquals(r.recipient(), back.recipient());
    assertEquals(r.proof().headers(), back.proof().headers());
    assertEquals(r.proof().block(), back.proof().block());
    assertEquals(r.proof().transaction().id(), back.proof().transaction().id());
    assertArrayEquals(bytes, CaesarCodec.encode(back));
    assertEquals(TransactionKind.BRIDGE_REDEEM, CaesarCodec.kindOf(r));
    assertEquals(TransactionKind.BRIDGE_LOCK,
        CaesarCodec.kindOf(new CaesarTransaction.Lock(1, CHAIN, TO, 1)));
    assertEquals(TransactionKind.BRIDGE_BURN,
        CaesarCodec.kindOf(new CaesarTransaction.Burn(1, CHAIN, TO, 1)));
    assertEquals(TransactionKind.TOKEN_TRANSFER,
        CaesarCodec.kindOf(new CaesarTransaction.Transfer(1, TO, 1, "")));

    // With execution attestations: they round-trip in order, and their bounds are checked.
    List<ExecutionAttestation> attestations = List.of(new ExecutionAttestation(0, new byte[] {1, 2}),
        new ExecutionAttestation(3, new byte[666]));
    CaesarTransaction.Redeem attested = new CaesarTransaction.Redeem(CHAIN, TO, 500, r.proof(),
        attestations);
    byte[] attestedBytes = CaesarCodec.encode(attested);
    CaesarTransaction.Redeem attestedBack = (CaesarTransaction.Redeem) ((CaesarCodec.Valid)
        CaesarCodec.decode(attestedBytes)).transaction();
    assertEquals(attestations, attestedBack.attestations());
    byte[] empty = attestedBytes.clone();
    // The first attestation's signature length (after its u16 index) set to 0.
    int at = bytes.length - 1 + 1 + 2;
    empty[at] = 0;
    empty[at + 1] = 0;
    assertTrue(CaesarCodec.decode(empty) instanceof CaesarCodec.Malformed m
        && m.reason().contains("empty signature"), String.valueOf(CaesarCodec.decode(empty)));
    assertTrue(CaesarCodec.decode(java.util.Arrays.copyOf(attestedBytes, attestedBytes.length - 1))
        instanceof CaesarCodec.Malformed);
  }

  @Test
  void aFollowRoundTripsWithABodyLargerThanARedemptionMayCarry() {
    InclusionProof small = BridgeFixture.anyProof();
    // A validator-set change body: beyond the 32 KiB a redemption's u16 length allows.
    byte[] body = new byte[40_000];
    Arrays.fill(body, (byte) 7);
    var tx = new online.hypermesh.protocol.consensus.bft.Transaction(Digest.sha256(body), body);
    InclusionProof big = new InclusionProof(small.headers(), small.certificate(), tx, 0,
        List.of());
    for (InclusionProof p : List.of(small, big)) {
      CaesarTransaction.Follow f = new CaesarTransaction.Follow(CHAIN, p);
      assertEquals(TransactionKind.BRIDGE_FOLLOW, CaesarCodec.kindOf(f));
      assertFalse(CaesarCodec.needsOwner(f));
      byte[] bytes = CaesarCodec.encode(f);
      assertEquals(8, bytes[1], "operation 8");
      CaesarCodec.Valid v = (CaesarCodec.Valid) CaesarCodec.decode(bytes);
      assertEquals(null, v.authorization());
      CaesarTransaction.Follow back = (CaesarTransaction.Follow) v.transaction();
      assertEquals(CHAIN, back.sourceChain());
      assertEquals(p.headers(), back.proof().headers());
      assertArrayEquals(p.transaction().body(), back.proof().transaction().body());
      assertArrayEquals(bytes, CaesarCodec.encode(back));
      assertTrue(malformed(Arrays.copyOf(bytes, bytes.length - 1)).contains("truncated"));
      assertTrue(malformed(Arrays.copyOf(bytes, bytes.length + 1)).contains("after the end"));
    }
    assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(
        new CaesarTransaction.Follow(CHAIN, small), OWNER));
    assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(
        new CaesarTransaction.Redeem(CHAIN, TO, 1, big)), "a redemption's body stays u16");
    assertTrue(CaesarCodec.isCaesar(TransactionKind.BRIDGE_FOLLOW));
    assertEquals(TransactionKind.BRIDGE_FOLLOW, TransactionKind.fromCode(14).orElseThrow());
  }

  @Test
  void strictDecodingNamesWhatIsWrong() {
    byte[] bond = CaesarCodec.encode(new CaesarTransaction.Bond(3, 1_000), OWNER);
    byte[] v1 = bond.clone();
    v1[0] = 1;
    assertEquals("unknown payload version 1", malformed(v1));
    byte[] op = bond.clone();
    op[1] = 42;
    assertEquals("unknown operation 42", malformed(op));
    byte[] zero = bond.clone();
    Arrays.fill(zero, 10, 18, (byte) 0);
    assertEquals("amount must be positive, not 0", malformed(zero));
    byte[] negative = bond.clone();
    negative[10] = (byte) 0x80;
    assertTrue(malformed(negative).startsWith("amount must be positive"));
    byte[] nonce = bond.clone();
    nonce[2] = (byte) 0xff;
    assertEquals("nonce must be non-negative", malformed(nonce));
    assertEquals("no bytes", malformed(null));
    assertEquals("truncated payload", malformed(new byte[0]));

    byte[] transfer = CaesarCodec.encode(new CaesarTransaction.Transfer(1, TO, 2, "ab"), OWNER);
    byte[] longMemo = transfer.clone();
    ByteBuffer.wrap(longMemo).putShort(50, (short) 257);
    assertEquals("memo of 257 bytes exceeds 256", malformed(longMemo));
    byte[] badUtf8 = transfer.clone();
    badUtf8[53] = (byte) 0xc3;
    assertEquals("memo is not valid UTF-8", malformed(badUtf8));

    // The owner authorization: 1..4 certificates, non-empty, within their bounds.
    int owner = 18;
    byte[] noChain = bond.clone();
    noChain[owner] = 0;
    assertEquals("owner chain of 0 certificates, must be 1..4", malformed(noChain));
    byte[] longChain = bond.clone();
    longChain[owner] = 5;
    assertEquals("owner chain of 5 certificates, must be 1..4", malformed(longChain));
    byte[] bigCert = bond.clone();
    ByteBuffer.wrap(bigCert).putShort(owner + 1, (short) (8 * 1024 + 1));
    assertEquals("owner certificate of 8193 bytes exceeds 8192", malformed(bigCert));
    byte[] emptySig = bond.clone();
    ByteBuffer.wrap(emptySig).putShort(owner + 5, (short) 0);
    assertEquals("owner signature of 0 bytes", malformed(emptySig));
    byte[] bigSig = bond.clone();
    ByteBuffer.wrap(bigSig).putShort(owner + 5, (short) 1463);
    assertEquals("owner signature of 1463 bytes exceeds 1462", malformed(bigSig));

    byte[] redeem = CaesarCodec.encode(
        new CaesarTransaction.Redeem(CHAIN, TO, 5, BridgeFixture.anyProof()));
    // version, op, source chain, recipient, amount: the header count is at 74, header 0 at 75.
    byte[] bigHeader = redeem.clone();
    ByteBuffer.wrap(bigHeader).putInt(75, 1024 + 1);
    assertEquals("header 0 of 1025 bytes exceeds 1024", malformed(bigHeader));
    byte[] badHeader = redeem.clone();
    ByteBuffer.wrap(badHeader).putInt(75, ByteBuffer.wrap(redeem).getInt(75) - 1);
    assertTrue(malformed(badHeader).startsWith("header 0: "), malformed(badHeader));
    byte[] noHeader = redeem.clone();
    noHeader[74] = 0;
    assertEquals("proof of 0 headers, must be 1..16", malformed(noHeader));
    byte[] manyHeaders = redeem.clone();
    manyHeaders[74] = 17;
    assertEquals("proof of 17 headers, must be 1..16", malformed(manyHeaders));
    assertEquals("truncated payload", malformed(Arrays.copyOf(redeem, 100)));
  }

  @Test
  void aRegistrationRoundTripsIsSignableAndStrictlyDecoded() {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      keys.add(BridgeFixture.keys(1).get(0).getPublic().getEncoded());
    }
    CaesarTransaction.Register g = new CaesarTransaction.Register(7, CHAIN, 12, keys);
    byte[] original = keys.get(0).clone();
    keys.get(0)[0] ^= 1;
    g.validatorKeys().get(0)[1] ^= 1;
    assertArrayEquals(original, g.validatorKeys().get(0), "keys are copied in and out");
    assertEquals(TransactionKind.BRIDGE_REGISTER, CaesarCodec.kindOf(g));
    assertEquals(13, TransactionKind.BRIDGE_REGISTER.code());
    assertTrue(CaesarCodec.isCaesar(TransactionKind.BRIDGE_REGISTER));
    assertTrue(CaesarCodec.needsOwner(g));
    byte[] bytes = CaesarCodec.encode(g, OWNER);
    CaesarCodec.Valid v = (CaesarCodec.Valid) CaesarCodec.decode(bytes);
    assertEquals(g, v.transaction());
    assertEquals(OWNER, v.authorization());
    assertArrayEquals(bytes, CaesarCodec.encode(v.transaction(), OWNER));
    // The owner signs the kind's code and the operation with its nonce, as for a transfer.
    byte[] signed = OwnerAuthorization.signedBytes(CHAIN, g);
    byte[] op = CaesarCodec.operationBytes(g);
    assertArrayEquals(op, Arrays.copyOfRange(signed, signed.length - op.length, signed.length));
    assertEquals(13, signed[signed.length - op.length - 1]);
    assertFalse(Arrays.equals(signed,
        OwnerAuthorization.signedBytes(CHAIN, new CaesarTransaction.Register(8, CHAIN, 12, keys))));
    assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(g));

    // version, op, nonce, chain, height: the key count is at 50, key 0's length at 51.
    byte[] many = bytes.clone();
    many[50] = 33;
    assertEquals("registration of 33 validator keys, must be 1..32", malformed(many));
    byte[] none = bytes.clone();
    none[50] = 0;
    assertEquals("registration of 0 validator keys, must be 1..32", malformed(none));
    byte[] bigKey = bytes.clone();
    ByteBuffer.wrap(bigKey).putShort(51, (short) 4097);
    assertEquals("validator key 0 of 4097 bytes exceeds 4096", malformed(bigKey));
    byte[] emptyKey = bytes.clone();
    ByteBuffer.wrap(emptyKey).putShort(51, (short) 0);
    assertEquals("validator key 0 of 0 bytes", malformed(emptyKey));
    byte[] shortKey = bytes.clone();
    ByteBuffer.wrap(shortKey).putShort(51, (short) (keys.get(0).length - 1));
    assertFalse(CaesarCodec.decode(shortKey) instanceof CaesarCodec.Valid);
    byte[] height = bytes.clone();
    height[42] = (byte) 0x80;
    assertEquals("trusted-from height must be non-negative", malformed(height));
    assertEquals("truncated payload", malformed(Arrays.copyOf(bytes, 60)));
    assertEquals("truncated payload", malformed(Arrays.copyOf(bytes, 50)));

    List<byte[]> tooMany = new ArrayList<>();
    for (int i = 0; i < 33; i++) {
      tooMany.add(new byte[] {(byte) i});
    }
    assertThrows(IllegalArgumentException.class,
        () -> new CaesarTransaction.Register(1, CHAIN, 1, tooMany));
    assertThrows(IllegalArgumentException.class,
        () -> new CaesarTransaction.Register(1, CHAIN, 1, List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new CaesarTransaction.Register(1, CHAIN, 1, List.of(new byte[4097])));
    assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(
        new CaesarTransaction.Register(-1, CHAIN, 1, List.of(new byte[] {1})), OWNER));
  }

  @Test
  void encodingRefusesWhatDecodingWouldRefuse() {
    assertThrows(IllegalArgumentException.class,
        () -> CaesarCodec.encode(new CaesarTransaction.Bond(1, 0), OWNER));
    assertThrows(IllegalArgumentException.class,
        () -> CaesarCodec.encode(new CaesarTransaction.Transfer(-1, TO, 5, ""), OWNER));
    assertThrows(IllegalArgumentException.class,
        () -> CaesarCodec.encode(new CaesarTransaction.Transfer(1, TO, 5, "é".repeat(129)), OWNER));
    assertThrows(IllegalArgumentException.class,
        () -> CaesarCodec.operationBytes(new CaesarTransaction.Unbond(1, -4)));
    // An owner operation needs the owner; a redemption has none.
    assertThrows(IllegalArgumentException.class,
        () -> CaesarCodec.encode(new CaesarTransaction.Bond(1, 5)));
    assertThrows(IllegalArgumentException.class, () -> CaesarCodec.encode(
        new CaesarTransaction.Redeem(CHAIN, TO, 5, BridgeFixture.anyProof()), OWNER));
  }

  @Test
  void aPayloadRidesInAConsensusEnvelopeAndTheReaderFindsIt() {
    BridgeFixture chain = new BridgeFixture("envelope", List.of());
    CaesarTransaction lock = new CaesarTransaction.Lock(0, CHAIN, TO, 10);
    var tx = chain.caesar(lock);
    assertEquals(lock, new EnvelopeReader().caesar(tx.body()).orElseThrow());
    assertTrue(new EnvelopeReader().validatorSetChange(tx.body()).isEmpty());
    // The same payload under a kind that does not match it is not read as a lock.
    var wrongKind = chain.envelope(TransactionKind.STAKE_BOND, CaesarCodec.encode(lock, OWNER));
    assertTrue(new EnvelopeReader().caesar(wrongKind.body()).isEmpty());
    assertTrue(new EnvelopeReader().caesar(new byte[] {1, 2}).isEmpty());
    // The field bounds admit what real proofs carry: a header (fixed size), a 32-validator
    // certificate of 22 maximal signatures, a real-sized lock envelope. They need not sum under
    // 64 KiB: the decoder's bound on the whole payload decides (BridgeLargeSetTest).
    assertTrue(CaesarCodec.MAX_HEADER_BYTES >= BlockHeader.ENCODED_BYTES);
    assertTrue(CaesarCodec.MAX_CERTIFICATE_BYTES >= 88 + 2 + 22 * (2 + 4 + 1462));
    assertTrue(CaesarCodec.MAX_BODY_BYTES >= 19_456);
    // A one-header proof with a 19,456-byte body and a 28-validator certificate always fits.
    assertTrue(Transaction.MAX_PAYLOAD_BYTES > 4 + BlockHeader.ENCODED_BYTES
        + 88 + 2 + 19 * (2 + 4 + 1462) + 19_456 + 32 * 33 + 10 * (4 + 1462) + 128);
    assertTrue(Transaction.MAX_PAYLOAD_BYTES > 4 * (2 + OwnerAuthorization.MAX_CERTIFICATE_BYTES)
        + 2 + 1462 + 128 + CaesarCodec.MAX_MEMO_BYTES);
  }
}
