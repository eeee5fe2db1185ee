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
    VoteData data = new VoteData(d("b4"), 5, 4, d("b3"), 3);
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      sigs.put(i, keys.signer(i).sign(data.signingBytes(set.chainId())));
    }
    return new Block(6, 5, 1, new QuorumCert(data, sigs), new BlockTime(15, d("tick"), 99), txs);
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
    assertNotEquals(h.id(), new BlockHeader(h.round(), h.height(), h.proposer(), h.qc(),
        h.time(), 4, h.transactionRoot()).id());
    assertNotEquals(h.id(), new BlockHeader(h.round(), h.height(), h.proposer(), h.qc(),
        h.time(), 3, d("other root")).id());
    assertEquals(h, new BlockHeader(h.round(), h.height(), h.proposer(), h.qc(), h.time(), 3,
        h.transactionRoot()));
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
    Codec.Decoded<BlockHeader> back = Codec.decodeHeader(bytes);
    assertTrue(back.ok(), back.error());
    assertEquals(h, back.value());
    assertEquals(h.id(), back.value().id());
    assertEquals(h.transactionRoot(), back.value().transactionRoot());
    assertArrayEquals(Codec.encode(h.qc()), Codec.encode(back.value().qc()));
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
    List<Transaction> more = new ArrayList<>(b.transactions());
    more.add(tx("z"));
    assertFalse(cert.certifies(block(more).header()));
    assertFalse(cert.certifies(block(more)));
  }
}
