package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.Random;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.trustchain.LogSignatureVerdict.Failure;
import org.junit.jupiter.api.Test;

/** Signed tree heads and log receipts: encoding, verification, every refusal reason. */
class SignedTreeHeadTest {

  private static final LogSigner LOG = LogSigner.generate();
  private static final LogSigner OTHER_LOG = LogSigner.generate();

  @Test
  void logIdIsSha256OfTheSubjectPublicKeyInfo() {
    byte[] expected = MerkleHashes.sha256(LOG.publicKey().getEncoded());
    assertArrayEquals(expected, LOG.logId());
    assertArrayEquals(expected, LogSigner.logIdOf(LOG.publicKey()));
    assertNotEquals(HexFormat.of().formatHex(LOG.logId()),
        HexFormat.of().formatHex(OTHER_LOG.logId()));
  }

  @Test
  void signedBytesFollowTheDocumentedLayout() {
    byte[] root = new byte[32];
    root[0] = 7;
    byte[] bytes = SignedTreeHead.signedBytes(0x0102030405060708L, 0x1112131415161718L, root);
    assertEquals(50, bytes.length);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    assertEquals(1, buffer.get());
    assertEquals(1, buffer.get());
    assertEquals(0x0102030405060708L, buffer.getLong());
    assertEquals(0x1112131415161718L, buffer.getLong());
    assertEquals(7, buffer.get());

    byte[] receipt = LogReceipt.signedBytes(0x1112131415161718L, root, 5);
    assertEquals(50, receipt.length);
    assertEquals(1, receipt[0]);
    assertEquals(0, receipt[1], "receipts and tree heads differ in the type byte");
    assertEquals(5, ByteBuffer.wrap(receipt).getLong(42));
    assertThrows(IllegalArgumentException.class, () -> SignedTreeHead.signedBytes(-1, 0, root));
    assertThrows(IllegalArgumentException.class,
        () -> SignedTreeHead.signedBytes(1, 0, new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> LogReceipt.signedBytes(0, root, -1));
  }

  @Test
  void treeHeadVerifiesAndEveryChangeIsRefused() {
    MerkleLog log = MerkleLogTest.randomLog(new Random(3), 21);
    SignedTreeHead head = LOG.signTreeHead(log, 1_700_000_000_000L);
    assertEquals(21, head.treeSize());
    assertArrayEquals(log.root(), head.rootHash());
    assertTrue(head.verify(LOG.publicKey()).isValid(), head.verify(LOG.publicKey()).detail());
    assertEquals(head, new SignedTreeHead(head.treeSize(), head.timestampMillis(),
        head.rootHash(), head.logId(), head.signature()));

    assertEquals(Failure.BAD_SIGNATURE, new SignedTreeHead(20, head.timestampMillis(),
        head.rootHash(), head.logId(), head.signature()).verify(LOG.publicKey()).failure());
    assertEquals(Failure.BAD_SIGNATURE, new SignedTreeHead(21, head.timestampMillis() + 1,
        head.rootHash(), head.logId(), head.signature()).verify(LOG.publicKey()).failure());
    assertEquals(Failure.BAD_SIGNATURE, new SignedTreeHead(21, head.timestampMillis(),
        log.root(20), head.logId(), head.signature()).verify(LOG.publicKey()).failure());
    byte[] signature = head.signature();
    signature[signature.length / 2] ^= 1;
    assertEquals(Failure.BAD_SIGNATURE, new SignedTreeHead(21, head.timestampMillis(),
        head.rootHash(), head.logId(), signature).verify(LOG.publicKey()).failure());
    assertEquals(Failure.MALFORMED, new SignedTreeHead(21, head.timestampMillis(),
        new byte[31], head.logId(), head.signature()).verify(LOG.publicKey()).failure());
    assertEquals(Failure.MALFORMED, new SignedTreeHead(-1, head.timestampMillis(),
        head.rootHash(), head.logId(), head.signature()).verify(LOG.publicKey()).failure());

    // Another log's key: the id does not match, and forging the id does not help.
    assertEquals(Failure.WRONG_LOG_ID, head.verify(OTHER_LOG.publicKey()).failure());
    assertEquals(Failure.BAD_SIGNATURE, new SignedTreeHead(21, head.timestampMillis(),
        head.rootHash(), OTHER_LOG.logId(), head.signature())
        .verify(OTHER_LOG.publicKey()).failure());
    assertEquals(Failure.KEY_NOT_FALCON_1024, head.verify(falcon512Key()).failure());
    assertEquals(Failure.KEY_NOT_FALCON_1024, head.verify(null).failure());
  }

  @Test
  void proofsAgainstSignedTreeHeads() {
    MerkleLog log = MerkleLogTest.randomLog(new Random(9), 40);
    SignedTreeHead older = LOG.signTreeHead(25, 1L, log.root(25));
    SignedTreeHead newer = LOG.signTreeHead(log, 2L);
    assertTrue(older.verify(LOG.publicKey()).isValid());
    assertTrue(MerkleProofVerifier.verifyInclusion(
        newer, 7, log.leafHash(7), log.inclusionProof(7, 40)).isValid());
    // A proof from the newer tree does not fit the older head (its path is one level deeper).
    assertEquals(ProofVerdict.Failure.WRONG_PROOF_LENGTH, MerkleProofVerifier.verifyInclusion(
        older, 7, log.leafHash(7), log.inclusionProof(7, 40)).failure());
    assertTrue(MerkleProofVerifier.verifyInclusion(
        older, 7, log.leafHash(7), log.inclusionProof(7, 25)).isValid());
    assertEquals(ProofVerdict.Failure.WRONG_ROOT, MerkleProofVerifier.verifyInclusion(
        older, 7, log.leafHash(8), log.inclusionProof(7, 25)).failure());
    assertTrue(MerkleProofVerifier.verifyConsistency(
        older, newer, log.consistencyProof(25, 40)).isValid());
    assertEquals(ProofVerdict.Failure.SIZES_OUT_OF_ORDER, MerkleProofVerifier.verifyConsistency(
        newer, older, log.consistencyProof(25, 40)).failure());
  }

  @Test
  void receiptVerifiesAndEveryChangeIsRefused() {
    byte[] leafHash = MerkleHashes.leafHash("certificate".getBytes());
    LogReceipt receipt = LOG.receipt(17, leafHash, 1_700_000_000_123L);
    assertArrayEquals(LOG.logId(), receipt.logId());
    assertTrue(receipt.verify(LOG.publicKey(), leafHash).isValid());

    assertEquals(Failure.BAD_SIGNATURE, receipt.verify(LOG.publicKey(),
        MerkleHashes.leafHash("other".getBytes())).failure());
    assertEquals(Failure.BAD_SIGNATURE, new LogReceipt(receipt.logId(), receipt.timestampMillis(),
        18, receipt.signature()).verify(LOG.publicKey(), leafHash).failure());
    assertEquals(Failure.BAD_SIGNATURE, new LogReceipt(receipt.logId(),
        receipt.timestampMillis() - 1, 17, receipt.signature())
        .verify(LOG.publicKey(), leafHash).failure());
    assertEquals(Failure.WRONG_LOG_ID, receipt.verify(OTHER_LOG.publicKey(), leafHash).failure());
    assertEquals(Failure.MALFORMED, receipt.verify(LOG.publicKey(), new byte[3]).failure());

    // A receipt's signature is never a valid tree head signature (type byte), even with
    // colliding numbers.
    SignedTreeHead head = LOG.signTreeHead(17, 1_700_000_000_123L, leafHash);
    assertEquals(Failure.BAD_SIGNATURE, new LogReceipt(head.logId(), 1_700_000_000_123L, 17,
        head.signature()).verify(LOG.publicKey(), leafHash).failure());
  }

  @Test
  void signerRefusesNonFalconKeys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    assertThrows(IllegalArgumentException.class, () -> new LogSigner(rsa.generateKeyPair()));
  }

  static PublicKey falcon512Key() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("FALCON", Pq.BC);
      generator.initialize(org.bouncycastle.pqc.jcajce.spec.FalconParameterSpec.falcon_512);
      return generator.generateKeyPair().getPublic();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
