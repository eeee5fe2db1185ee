package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProofEncodingTest {

  @Test
  void roundTripAndVerifyFromText() {
    MerkleLog log = MerkleLogTest.randomLog(new Random(5), 45);
    List<byte[]> proof = log.inclusionProof(12, 45);
    String text = ProofEncoding.encode(proof);
    assertEquals(proof.size() - 1, text.chars().filter(c -> c == ',').count());
    List<byte[]> decoded = ProofEncoding.decode(text);
    for (int i = 0; i < proof.size(); i++) {
      assertArrayEquals(proof.get(i), decoded.get(i));
    }
    assertTrue(MerkleProofVerifier.verifyInclusion(
        12, 45, log.leafHash(12), decoded, log.root(45)).isValid());
    assertEquals("", ProofEncoding.encode(List.of()));
    assertTrue(ProofEncoding.decode("").isEmpty());
  }

  @Test
  void malformedTextIsRefused() {
    String good = Base64.getEncoder().encodeToString(new byte[32]);
    assertThrows(IllegalArgumentException.class, () -> ProofEncoding.decode(good + ","));
    assertThrows(IllegalArgumentException.class, () -> ProofEncoding.decode("," + good));
    assertThrows(IllegalArgumentException.class, () -> ProofEncoding.decode(good + " "));
    assertThrows(IllegalArgumentException.class, () -> ProofEncoding.decode("!!!!"));
    assertThrows(IllegalArgumentException.class,
        () -> ProofEncoding.decode(Base64.getEncoder().encodeToString(new byte[31])));
    // Non-canonical: same bytes, different padding bits in the last character.
    String nonCanonical = good.substring(0, 42) + "B=";
    assertThrows(IllegalArgumentException.class, () -> ProofEncoding.decode(nonCanonical));
    assertThrows(IllegalArgumentException.class,
        () -> ProofEncoding.encode(List.of(new byte[31])));
  }
}
