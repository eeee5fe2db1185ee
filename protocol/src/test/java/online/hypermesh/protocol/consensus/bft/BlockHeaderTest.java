package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A header fixes its block: the transactions through their Merkle root. */
class BlockHeaderTest {

  private final TestSignatures keys = new TestSignatures(4, 5);
  private final ValidatorSet set = TestTiming.set("header-chain", keys.publicKeys());

  private static Digest d(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private static Transaction tx(String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return new Transaction(Digest.sha256(b), b);
  }

  private Block block(List<Transaction> txs) {
    return new Block(6, 5, 1, qc(0, 1, 2), new BlockTime(15, d("tick"), 99), txs);
  }

  /** The parent certificate, signed by {@code signers}. */
  private QuorumCert qc(int... signers) {
    VoteData data = new VoteData(d("b4"), 5, 4, d("b3"), 3);
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    for (int i : signers) {
      sigs.put(i, keys.signer(i).sign(data.signingBytes(set.chainId())));
    }
    return new QuorumCert(data, sigs);
  }

  @Test
  void theBlockIdIsTheHeaderIdAndBindsEveryTransaction() {
    List<Transaction> txs = List.of(tx("a"), tx("b"), tx("c"));
    Block b = block(txs);
    BlockHeader h = b.header();
    assertEquals(h.id(), b.id());
    assertEquals(3, h.transactionCount());
    assertEquals(MerkleTree.root(txs), h.transactionRoot());
    assertEquals(b.parentId(), h.parentId());
    assertEquals(b.qc().blockId(), h.parentId());
    assertEquals(Digest.sha256(Codec.encode(b.qc())), h.qcDigest());
    assertEquals(b.height(), h.height());

    // One body changed (same id field): another root, another block id.
    Transaction changed = new Transaction(txs.get(1).id(), "B".getBytes(StandardCharsets.UTF_8));
    Block other = block(List.of(txs.get(0), changed, txs.get(2)));
    assertNotEquals(b.header().transactionRoot(), other.header().transactionRoot());
    assertNotEquals(b.id(), other.id());
    // Order matters, and so does the count (an empty block has the empty tree's root).
    assertNotEquals(b.id(), block(List.of(txs.get(1), txs.get(0), txs.get(2))).id());
    assertNotEquals(b.id(), block(txs.subList(0, 2)).id());
    assertEquals(0, block(List.of()).header().transactionCount());

    // A header with the same fields but another count or root is another block.
    assertNotEquals(h.id(), new BlockHeader(h.round(), h.height(), h.proposer(), h.time(),
        h.parentId(), h.qcDigest(), 4, h.transactionRoot()).id());
    assertNotEquals(h.id(), new BlockHeader(h.round(), h.height(), h.proposer(), h.time(),
        h.parentId(), h.qcDigest(), 3, d("other root")).id());
    // ... and so is one naming another parent or another parent certificate.
    assertNotEquals(h.id(), new BlockHeader(h.round(), h.height(), h.proposer(), h.time(),
        d("other parent"), h.qcDigest(), 3, h.transactionRoot()).id());
    assertNotEquals(h.id(), new BlockHeader(h.round(), h.height(), h.proposer(), h.time(),
        h.parentId(), d("other qc"), 3, h.transactionRoot()).id());
    assertEquals(h, new BlockHeader(h.round(), h.height(), h.proposer(), h.time(), h.parentId(),
        h.qcDigest(), 3, h.transactionRoot()));
  }

  @Test
  void aDecodedBlockRecomputesItsIdFromItsContent() {
    Block b = block(List.of(tx("a"), tx("b")));
    byte[] wire = Codec.encode(b);
    Codec.Decoded<Block> back = Codec.decodeBlock(wire);
    assertTrue(back.ok(), back.error());
    assertEquals(b.id(), back.value().id());
    assertEquals(b.header(), back.value().header());
    // Flip the last byte of the last body on the wire: it decodes, as another block.
    byte[] tampered = wire.clone();
    tampered[tampered.length - 1] ^= 1;
    Codec.Decoded<Block> other = Codec.decodeBlock(tampered);
    assertTrue(other.ok(), other.error());
    assertNotEquals(b.id(), other.value().id());
  }

  @Test
  void aHeaderRoundTripsToOneEncodingAndMalformedOnesAreRefused() {
    BlockHeader h = block(List.of(tx("a"), tx("b"), tx("c"))).header();
    byte[] bytes = Codec.encodeHeader(h);
    assertEquals(h.encodedSize(), bytes.length);
    // Fixed size, whatever the parent certificate holds.
    assertEquals(166, bytes.length);
    assertEquals(BlockHeader.ENCODED_BYTES, bytes.length);
    assertEquals(166, new Block(6, 5, 1, qc(0, 1, 2, 3), h.time(), List.of()).header()
        .encodedSize());
    Codec.Decoded<BlockHeader> back = Codec.decodeHeader(bytes);
    assertTrue(back.ok(), back.error());
    assertEquals(h, back.value());
    assertEquals(h.id(), back.value().id());
    assertEquals(h.transactionRoot(), back.value().transactionRoot());
    assertEquals(h.parentId(), back.value().parentId());
    assertEquals(h.qcDigest(), back.value().qcDigest());
    assertArrayEquals(bytes, Codec.encodeHeader(back.value()));

    assertEquals("truncated transaction root",
        Codec.decodeHeader(Arrays.copyOf(bytes, bytes.length - 1)).error());
    assertEquals("1 trailing bytes",
        Codec.decodeHeader(Arrays.copyOf(bytes, bytes.length + 1)).error());
    byte[] negative = bytes.clone();
    negative[0] = (byte) 0x80;
    assertEquals("negative round", Codec.decodeHeader(negative).error());
    byte[] tooMany = bytes.clone();
    ByteBuffer.wrap(tooMany).putInt(bytes.length - 36, Codec.MAX_TRANSACTIONS + 1);
    assertEquals("header with 20001 transactions, max 20000",
        Codec.decodeHeader(tooMany).error());
    assertFalse(Codec.decodeHeader(null).ok());
    assertFalse(Codec.decodeHeader(new byte[0]).ok());
  }

  @Test
  void theHeaderIdBindsEverySignatureOfTheParentCertificate() {
    List<Transaction> txs = List.of(tx("a"), tx("b"));
    Block b = block(txs);
    // Same vote data, other signers: same parent, another certificate, another block.
    Block otherSigners = new Block(6, 5, 1, qc(1, 2, 3), b.time(), txs);
    assertEquals(b.parentId(), otherSigners.header().parentId());
    assertNotEquals(b.header().qcDigest(), otherSigners.header().qcDigest());
    assertNotEquals(b.id(), otherSigners.id());
    // One more signature is another certificate too.
    assertNotEquals(b.id(), new Block(6, 5, 1, qc(0, 1, 2, 3), b.time(), txs).id());
    // One bit of one signature changed.
    TreeMap<Integer, byte[]> sigs = new TreeMap<>(b.qc().signatures());
    byte[] flipped = sigs.get(2).clone();
    flipped[0] ^= 1;
    sigs.put(2, flipped);
    Block tampered = new Block(6, 5, 1, new QuorumCert(b.qc().data(), sigs), b.time(), txs);
    assertNotEquals(b.id(), tampered.id());
    assertEquals(b.header().transactionRoot(), tampered.header().transactionRoot());
    // The same certificate rebuilt gives the same id.
    assertEquals(b.id(), new Block(6, 5, 1, qc(0, 1, 2), b.time(), txs).id());
  }

  @Test
  void aDecodedBlocksHeaderAlwaysNamesTheCertificateItCarries() {
    List<Transaction> txs = List.of(tx("a"), tx("b"));
    Block b = block(txs);
    byte[] wire = Codec.encode(b);
    byte[] own = Codec.encode(b.qc());
    QuorumCert other = qc(1, 2, 3);
    byte[] swapped = Codec.encode(other);
    // round 8, height 8, proposer 2, time 48: the certificate follows.
    int at = 66;
    assertArrayEquals(own, Arrays.copyOfRange(wire, at, at + own.length));
    byte[] spliced = new byte[wire.length - own.length + swapped.length];
    System.arraycopy(wire, 0, spliced, 0, at);
    System.arraycopy(swapped, 0, spliced, at, swapped.length);
    System.arraycopy(wire, at + own.length, spliced, at + swapped.length,
        wire.length - at - own.length);
    Codec.Decoded<Block> back = Codec.decodeBlock(spliced);
    assertTrue(back.ok(), back.error());
    Block decoded = back.value();
    // It is not b with a foreign certificate: its header names the certificate it carries.
    assertArrayEquals(swapped, Codec.encode(decoded.qc()));
    assertEquals(other.digest(), decoded.header().qcDigest());
    assertEquals(Digest.sha256(swapped), decoded.header().qcDigest());
    assertNotEquals(b.header().qcDigest(), decoded.header().qcDigest());
    assertNotEquals(b.id(), decoded.id());
    assertEquals(new Block(6, 5, 1, other, b.time(), txs).id(), decoded.id());
    // The original decodes to the original.
    assertEquals(b.id(), Codec.decodeBlock(wire).value().id());
    assertEquals(b.header().qcDigest(), Codec.decodeBlock(wire).value().header().qcDigest());
  }

  @Test
  void aCommitCertificateCertifiesTheHeaderOfItsBlock() {
    Block b = block(List.of(tx("a")));
    VoteData child = new VoteData(d("child"), 7, b.height() + 1, b.id(), 6);
    VoteData grandchild = new VoteData(d("grandchild"), 8, b.height() + 2, d("child"), 7);
    assertTrue(grandchild.commitsParent());
    CommitCertificate onChild = new CommitCertificate(new QuorumCert(grandchild, new TreeMap<>()));
    assertFalse(onChild.certifies(b.header()));
    VoteData next = new VoteData(d("c"), 7, b.height() + 1, b.id(), b.round());
    CommitCertificate cert = new CommitCertificate(new QuorumCert(next, new TreeMap<>()));
    assertTrue(cert.certifies(b.header()));
    assertTrue(cert.certifies(b));
    // Vote data naming the block but misstating its round does not certify it.
    VoteData wrongRound = new VoteData(d("c"), 7, b.height() + 1, b.id(), b.round() - 1);
    assertFalse(new CommitCertificate(new QuorumCert(wrongRound, new TreeMap<>()))
        .certifies(b.header()));
    List<Transaction> more = new ArrayList<>(b.transactions());
    more.add(tx("z"));
    assertFalse(cert.certifies(block(more).header()));
    assertFalse(cert.certifies(block(more)));
  }
}
