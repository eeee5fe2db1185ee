package online.hypermesh.protocol.consensus.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Wire form and digest: canonical, bounded, and the digest binds what it says it binds. */
class TransactionCodecTest {

  private static final ProofFixture F = new ProofFixture();
  private static final Transaction TX = F.valid();

  @Test
  void roundTripIsExact() {
    byte[] encoded = TransactionCodec.encode(TX);
    Transaction decoded = assertInstanceOf(TransactionCodec.Valid.class,
        TransactionCodec.decode(encoded)).transaction();
    assertArrayEquals(encoded, TransactionCodec.encode(decoded));
    assertArrayEquals(TransactionDigest.of(TX), TransactionDigest.of(decoded));
  }

  @Test
  void digestBindsEveryFieldButTheSelfExcludingProofs() {
    byte[] id = TransactionDigest.of(TX);
    List<UnaryOperator<Transaction>> bound = List.of(
        t -> copy(t, TransactionKind.ASSET_REGISTRATION, t.payload(), t.nonce(), t.job()),
        t -> copy(t, t.kind(), "other".getBytes(StandardCharsets.UTF_8), t.nonce(), t.job()),
        t -> copy(t, t.kind(), t.payload(), t.nonce() + 1, t.job()),
        t -> copy(t, t.kind(), t.payload(), t.nonce(), new JobClaim(new byte[] {1}, new byte[32])),
        t -> new Transaction(t.kind(), t.payload(), t.senderChain().subList(0, 1), t.nonce(),
            t.timestampMillis(), t.job(), t.stake(), t.work(), t.space(), t.time()),
        t -> new Transaction(t.kind(), t.payload(), t.senderChain(), t.nonce(),
            t.timestampMillis() + 1, t.job(), t.stake(), t.work(), t.space(), t.time()),
        t -> t.withTime(new TimeProof(t.time().tickCount() + 1, t.time().tickHash())),
        t -> t.withTime(null),
        t -> t.withSpace(new SpaceProof(new LocationClaim(new byte[16], "eu-west"),
            t.space().openings())),
        t -> t.withSpace(new SpaceProof(LocationClaim.of(ProofFixture.ADDRESS, "eu-west-2"),
            t.space().openings())),
        t -> t.withSpace(null));
    for (UnaryOperator<Transaction> change : bound) {
      assertFalse(Arrays.equals(id, TransactionDigest.of(change.apply(TX))));
    }
    assertArrayEquals(id, TransactionDigest.of(TX.withStake(null)));
    assertArrayEquals(id, TransactionDigest.of(TX.withWork(new WorkProof(12345))));
    assertArrayEquals(id, TransactionDigest.of(
        TX.withSpace(new SpaceProof(TX.space().claim(), List.of()))));
  }

  @Test
  void malformedEncodingsAreNamed() {
    byte[] good = TransactionCodec.encode(TX);
    assertMalformed("after the end", Arrays.copyOf(good, good.length + 1));
    assertMalformed("truncated", Arrays.copyOf(good, good.length - 5));
    assertMalformed("truncated", new byte[0]);
    byte[] version = good.clone();
    version[0] = 2;
    assertMalformed("unknown version", version);
    byte[] kind = good.clone();
    kind[1] = (byte) 200;
    assertMalformed("unknown transaction kind", kind);
    // A payload length of 2^31-1 is refused by its bound, before any allocation.
    byte[] huge = good.clone();
    ByteBuffer.wrap(huge).putInt(2, Integer.MAX_VALUE);
    assertMalformed("payload 2147483647 is outside", huge);
    byte[] negative = good.clone();
    ByteBuffer.wrap(negative).putInt(2, -1);
    assertMalformed("payload -1", negative);
    assertMalformed("exceed the limit", new byte[TransactionCodec.MAX_ENCODED_BYTES + 1]);
    assertMalformed("no bytes", null);
  }

  @Test
  void flagsRegionAndTickAreStrict() {
    Transaction bare = F.without(ProofKind.STAKE);
    byte[] encoded = TransactionCodec.encode(bare);
    int timeFlag = encoded.length - 1 - 8 - 32;
    assertEquals(1, encoded[timeFlag]);
    byte[] flag = encoded.clone();
    flag[timeFlag] = 2;
    assertMalformed("time flag must be 0 or 1", flag);
    byte[] tick = encoded.clone();
    tick[timeFlag + 1] = (byte) 0x80;
    assertMalformed("negative tick count", tick);
    Transaction region = TX.withSpace(new SpaceProof(
        LocationClaim.of(ProofFixture.ADDRESS, "zz"), List.of()));
    byte[] bad = TransactionCodec.encode(region);
    int at = indexOf(bad, "zz".getBytes(StandardCharsets.UTF_8));
    bad[at] = (byte) 0xc3; // a lead byte followed by 'z': not UTF-8
    assertMalformed("not UTF-8", bad);
  }

  @Test
  void envelopeBoundsAreEnforcedOnConstruction() {
    List<byte[]> chain = TX.senderChain();
    assertThrows(IllegalArgumentException.class, () -> new Transaction(TX.kind(),
        new byte[Transaction.MAX_PAYLOAD_BYTES + 1], chain, 0, 0, null, null, null, null, null));
    assertThrows(IllegalArgumentException.class, () -> new Transaction(TX.kind(),
        new byte[0], List.of(), 0, 0, null, null, null, null, null));
    List<byte[]> longChain = new ArrayList<>();
    for (int i = 0; i <= Transaction.MAX_CHAIN; i++) {
      longChain.add(chain.get(0));
    }
    assertThrows(IllegalArgumentException.class, () -> new Transaction(TX.kind(),
        new byte[0], longChain, 0, 0, null, null, null, null, null));
    assertThrows(IllegalArgumentException.class,
        () -> new LocationClaim(new byte[16], "x".repeat(LocationClaim.MAX_REGION_BYTES + 1)));
    assertThrows(IllegalArgumentException.class, () -> new StakeProof(new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new PlotOpening(new byte[ChainParameters.MAX_LEAF_BYTES + 1], List.of()));
  }

  @Test
  void chainParametersAreBounded() {
    assertThrows(IllegalArgumentException.class,
        () -> new ChainParameters(0, ChainParameters.MAX_DIFFICULTY + 1, 64, 1, 1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new ChainParameters(0, 0, 16, 1, 1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new ChainParameters(0, 0, 64, 1, ChainParameters.MAX_CHALLENGES + 1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new ChainParameters(-1, 0, 64, 1, 1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new ChainParameters(0, 0, 64, 1, 1, 0, 0, 0));
  }

  @Test
  void hashcashAndTicks() {
    assertEquals(256, Hashcash.leadingZeroBits(new byte[32]));
    assertEquals(0, Hashcash.leadingZeroBits(new byte[] {(byte) 0x80}));
    assertEquals(15, Hashcash.leadingZeroBits(new byte[] {0, 1, (byte) 0xff}));
    byte[] digest = TransactionDigest.of(TX);
    long nonce = Hashcash.solve(digest, 12);
    assertTrue(Hashcash.leadingZeroBits(Hashcash.hash(digest, nonce)) >= 12);
    byte[] genesis = Ticks.genesis(new byte[] {7});
    byte[] five = Ticks.advance(genesis, 5);
    assertArrayEquals(Ticks.next(Ticks.advance(genesis, 4)), five);
    assertTrue(Ticks.check(0, genesis, 5, five, 10).isAccepted());
    assertFalse(Ticks.check(0, genesis, 6, five, 10).isAccepted());
    assertFalse(Ticks.check(0, genesis, 5, five, 4).isAccepted());
    assertFalse(Ticks.check(5, five, 0, genesis, 10).isAccepted());
  }

  private static Transaction copy(Transaction t, TransactionKind kind, byte[] payload, long nonce,
      JobClaim job) {
    return new Transaction(kind, payload, t.senderChain(), nonce, t.timestampMillis(), job,
        t.stake(), t.work(), t.space(), t.time());
  }

  private static void assertMalformed(String fragment, byte[] bytes) {
    TransactionCodec.Malformed malformed = assertInstanceOf(TransactionCodec.Malformed.class,
        TransactionCodec.decode(bytes));
    assertTrue(malformed.reason().contains(fragment),
        "expected '" + fragment + "' in: " + malformed.reason());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = haystack.length - needle.length; i >= 0; i--) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
