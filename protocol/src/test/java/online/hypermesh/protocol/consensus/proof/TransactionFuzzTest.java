package online.hypermesh.protocol.consensus.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of an encoded, fully valid transaction: decoding and verifying never
 * throw, and nothing but the original transaction (same id) is ever accepted. The mutations are
 * seeded; the transaction is not (keys are fresh each run), so a failure prints its input.
 */
class TransactionFuzzTest {

  private static final long SEED = 0x5eed_4b5e_7L;
  private static final int CASES = 20_000;

  @Test
  void mutatedTransactionsNeverThrowAndNeverPassAsAnother() {
    ProofFixture f = new ProofFixture();
    NKryptVerifier verifier = f.verifier();
    Transaction original = f.valid();
    byte[] id = TransactionDigest.of(original);
    byte[] encoded = TransactionCodec.encode(original);
    SplittableRandom random = new SplittableRandom(SEED);
    Map<ProofKind, Integer> rejections = new EnumMap<>(ProofKind.class);
    int accepted = 0;
    int acceptedChanged = 0;
    for (int i = 0; i < CASES; i++) {
      byte[] mutated = mutate(encoded, random);
      Verdict verdict;
      try {
        verdict = verifier.verify(mutated);
      } catch (RuntimeException e) {
        throw new AssertionError("case " + i + " threw on input "
            + Base64.getEncoder().encodeToString(mutated), e);
      }
      if (verdict instanceof Verdict.Rejected rejected) {
        rejections.merge(rejected.proof(), 1, Integer::sum);
      } else {
        accepted++;
        if (!Arrays.equals(mutated, encoded)) {
          acceptedChanged++;
        }
        Transaction tx = ((TransactionCodec.Valid) TransactionCodec.decode(mutated)).transaction();
        assertArrayEquals(id, TransactionDigest.of(tx), () -> "accepted another transaction: "
            + Base64.getEncoder().encodeToString(mutated));
      }
    }
    // The mutations must reach past the decoder into every proof, or this test tests little.
    // PAYLOAD is the chain's check of what a kind's layer applies, not NKryptVerifier's.
    for (ProofKind proof : ProofKind.values()) {
      if (proof == ProofKind.PAYLOAD) {
        continue;
      }
      assertTrue(rejections.getOrDefault(proof, 0) > 0, proof + " never reached: " + rejections);
    }
    System.out.println("fuzz: rejected " + rejections + "; accepted (same id) " + accepted
        + ", of which " + acceptedChanged + " with bytes changed");
  }

  private static byte[] mutate(byte[] original, SplittableRandom random) {
    byte[] bytes = original.clone();
    switch (random.nextInt(6)) {
      case 0 -> { // flip 1..4 bits
        int flips = 1 + random.nextInt(4);
        for (int k = 0; k < flips; k++) {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> { // set a byte to an edge value
        int[] edges = {0, 1, 2, 0x7f, 0x80, 0xff};
        bytes[random.nextInt(bytes.length)] = (byte) edges[random.nextInt(edges.length)];
      }
      case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length)); // truncate
      case 3 -> { // insert random bytes
        int at = random.nextInt(bytes.length + 1);
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        byte[] out = new byte[bytes.length + extra.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
        bytes = out;
      }
      case 4 -> { // delete a range
        int at = random.nextInt(bytes.length);
        int n = Math.min(bytes.length - at, 1 + random.nextInt(16));
        byte[] out = new byte[bytes.length - n];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + n, out, at, bytes.length - at - n);
        bytes = out;
      }
      default -> { // overwrite a window with 0xff or random bytes (lengths, counts)
        int at = random.nextInt(bytes.length);
        int n = Math.min(bytes.length - at, 1 + random.nextInt(4));
        boolean ones = random.nextBoolean();
        for (int k = 0; k < n; k++) {
          bytes[at + k] = ones ? (byte) 0xff : (byte) random.nextInt(256);
        }
      }
    }
    return bytes;
  }
}
