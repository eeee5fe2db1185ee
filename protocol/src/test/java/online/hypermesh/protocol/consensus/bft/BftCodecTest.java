package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Canonical encodings: exact round trips, and every malformed input refused with a reason. */
class BftCodecTest {

  private final TestSignatures keys = new TestSignatures(4, 9);
  private final ValidatorSet set = TestTiming.set("codec-chain", keys.publicKeys());

  private static Digest d(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private QuorumCert qc(VoteData data, int... signers) {
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    for (int i : signers) {
      sigs.put(i, keys.signer(i).sign(data.signingBytes(set.chainId())));
    }
    return new QuorumCert(data, sigs);
  }

  private TimeoutCert tc(long round, long... hqcRounds) {
    TreeMap<Integer, TimeoutCert.Entry> entries = new TreeMap<>();
    for (int i = 0; i < hqcRounds.length; i++) {
      byte[] sig = keys.signer(i).sign(TimeoutCert.signingBytes(set.chainId(), round, hqcRounds[i]));
      entries.put(i, new TimeoutCert.Entry(hqcRounds[i], sig));
    }
    return new TimeoutCert(round, entries);
  }

  private List<ConsensusMessage> samples() {
    VoteData data = new VoteData(d("b5"), 5, 3, d("b4"), 4);
    QuorumCert qc = qc(data, 0, 1, 2);
    TimeoutCert tc = tc(6, 5, 4, 5);
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] body = ("Ttx" + i).getBytes(StandardCharsets.UTF_8);
      txs.add(new Transaction(Digest.sha256(body), body));
    }
    Block block = new Block(7, 4, set.leader(7), qc, new BlockTime(12, d("tick"), 1234), txs);
    return List.of(
        Proposal.sign(block, tc, keys.signer(set.leader(7)), set.chainId()),
        Vote.sign(VoteData.of(block), 2, keys.signer(2), set.chainId()),
        Timeout.sign(7, qc, tc, 1, keys.signer(1), set.chainId()),
        Timeout.sign(7, qc, null, 1, keys.signer(1), set.chainId()),
        new BlockRequest(block.id(), 32),
        new BlockResponse(List.of(block, new Block(8, 5, 0, qc(VoteData.of(block), 1, 2, 3),
            set.timing().next(block.time(), 1300), List.of()))),
        new TransactionShare(txs),
        new TransactionShare(List.of()));
  }

  @Test
  void everyMessageRoundTripsToTheSameBytes() {
    for (ConsensusMessage m : samples()) {
      byte[] bytes = Codec.encode(m);
      Codec.Decoded<ConsensusMessage> decoded = Codec.decodeMessage(bytes);
      assertTrue(decoded.ok(), m.getClass().getSimpleName() + ": " + decoded.error());
      assertEquals(m.getClass(), decoded.value().getClass());
      assertArrayEquals(bytes, Codec.encode(decoded.value()));
    }
    Proposal p = (Proposal) samples().get(0);
    Proposal back = (Proposal) Codec.decodeMessage(Codec.encode(p)).value();
    assertEquals(p.block().id(), back.block().id());
    assertTrue(back.verifySignature(set, keys.verifier()).accepted());
    assertTrue(back.tc().verify(set, keys.verifier()).accepted());
    assertTrue(back.block().qc().verify(set, keys.verifier()).accepted());
  }

  @Test
  void safetyStateAndCertificatesRoundTrip() {
    Vote vote = (Vote) samples().get(1);
    Timeout timeout = (Timeout) samples().get(2);
    SafetyState state = new SafetyState(7, 5, vote, timeout, timeout.highQc(), timeout.lastTc());
    byte[] bytes = Codec.encode(state);
    SafetyState back = Codec.decodeSafetyState(bytes).value();
    assertNotNull(back);
    assertArrayEquals(bytes, Codec.encode(back));
    assertEquals(7, back.lastVotedRound());
    assertEquals(vote.data(), back.lastVote().data());
    assertArrayEquals(Codec.encode(timeout.lastTc()),
        Codec.encode(Codec.decodeTimeoutCert(Codec.encode(timeout.lastTc())).value()));
    assertArrayEquals(Codec.encode(timeout.highQc()),
        Codec.encode(Codec.decodeQuorumCert(Codec.encode(timeout.highQc())).value()));
    Block block = ((Proposal) samples().get(0)).block();
    assertEquals(block.id(), Codec.decodeBlock(Codec.encode(block)).value().id());
  }

  @Test
  void everyTruncationAndTrailingByteIsRefusedWithAReason() {
    for (ConsensusMessage m : samples()) {
      byte[] bytes = Codec.encode(m);
      for (int len = 0; len < bytes.length; len++) {
        Codec.Decoded<ConsensusMessage> decoded = Codec.decodeMessage(Arrays.copyOf(bytes, len));
        assertFalse(decoded.ok(), m.getClass().getSimpleName() + " truncated to " + len);
        assertNotNull(decoded.error());
      }
      Codec.Decoded<ConsensusMessage> longer = Codec.decodeMessage(Arrays.copyOf(bytes, bytes.length + 1));
      assertEquals("1 trailing bytes", longer.error());
    }
    assertFalse(Codec.decodeSafetyState(new byte[] {1, 0}).ok());
    assertEquals("no bytes", Codec.decodeMessage(null).error());
  }

  @Test
  void randomCorruptionNeverThrowsAndBrokenSignaturesDoNotVerify() {
    Random random = new Random(3);
    List<ConsensusMessage> samples = samples();
    int decodedAnyway = 0;
    for (int i = 0; i < 5000; i++) {
      byte[] bytes = Codec.encode(samples.get(random.nextInt(samples.size())));
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
      }
      Codec.Decoded<ConsensusMessage> decoded = Codec.decodeMessage(bytes);
      if (decoded.ok() && decoded.value() instanceof Vote v) {
        decodedAnyway++;
        assertFalse(v.verify(set, keys.verifier()).accepted(), "a corrupted vote verified");
      }
    }
    assertTrue(decodedAnyway > 0);
  }

  @Test
  void hostileFieldsAreRefused() {
    assertEquals("unknown version 9", Codec.decodeMessage(new byte[] {9, 2}).error());
    assertEquals("unknown message type 77", Codec.decodeMessage(new byte[] {1, 77}).error());

    byte[] vote = Codec.encode(samples().get(1));
    // version, type, vote data (32+8+8+32+8), voter (2), then the signature length.
    int lengthAt = 2 + 88 + 2;
    byte[] huge = vote.clone();
    huge[lengthAt] = 0x7f;
    assertTrue(Codec.decodeMessage(huge).error().contains("exceeds"), Codec.decodeMessage(huge).error());

    byte[] negative = vote.clone();
    negative[2 + 32] = (byte) 0x80;
    assertEquals("negative round", Codec.decodeMessage(negative).error());

    // Signers out of order make a second encoding of the same QC: refused.
    byte[] qc = Codec.encode(((Timeout) samples().get(3)).highQc());
    int firstSigner = 88 + 2;
    int secondSigner = firstSigner + 2 + 4 + 32;
    qc[firstSigner + 1] = 2;
    qc[secondSigner + 1] = 1;
    assertEquals("quorum certificate signers not strictly increasing",
        Codec.decodeQuorumCert(qc).error());

    // Block: round (8), height (8), proposer (2), then tick count (8), tick hash (32), time (8).
    byte[] block = Codec.encode(((Proposal) samples().get(0)).block());
    byte[] tick = block.clone();
    tick[18] = (byte) 0x80;
    assertEquals("negative tick count", Codec.decodeBlock(tick).error());
    byte[] time = block.clone();
    time[18 + 8 + 32] = (byte) 0x80;
    assertEquals("negative timestamp", Codec.decodeBlock(time).error());
    byte[] hash = block.clone();
    hash[18 + 8] ^= 1;
    assertTrue(Codec.decodeBlock(hash).ok());
    assertFalse(Codec.decodeBlock(hash).value().id().equals(Codec.decodeBlock(block).value().id()),
        "the tick hash is part of the block id");

    WireWriter w = new WireWriter().u8(1).u8(5).u16(Codec.MAX_BLOCKS_PER_RESPONSE + 1);
    assertEquals("block response with 257 blocks", Codec.decodeMessage(w.toByteArray()).error());
  }

  @Test
  void signaturesCoverTheDataTheyClaim() {
    Vote vote = (Vote) samples().get(1);
    VoteData other = new VoteData(d("elsewhere"), vote.round(), vote.data().height(),
        vote.data().parentId(), vote.data().parentRound());
    assertTrue(vote.verify(set, keys.verifier()).accepted());
    assertEquals("bad vote signature from validator 2",
        new Vote(other, 2, vote.signature()).verify(set, keys.verifier()).reason());
    assertEquals("bad vote signature from validator 3",
        new Vote(vote.data(), 3, vote.signature()).verify(set, keys.verifier()).reason());
    ValidatorSet otherChain = new ValidatorSet(d("another chain"), keys.publicKeys(), set.timing());
    assertFalse(vote.verify(otherChain, keys.verifier()).accepted());
  }
}
