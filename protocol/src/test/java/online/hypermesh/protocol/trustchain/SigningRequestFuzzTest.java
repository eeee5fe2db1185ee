package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import online.hypermesh.protocol.crypto.Falcon;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/**
 * 100,000 seeded mutations of a valid CSR through what the CA does with untrusted bytes: parse, then the
 * policy. Nothing may throw; every rejection must say what is wrong; a mutation that still passes must
 * still carry the subject's key (a mutation cannot smuggle a different key past proof of possession).
 */
class SigningRequestFuzzTest {

  private static final int CASES = 100_000;
  private static final long SEED = 0x7c5a_1e55_2026_1125L;

  @Test
  void mutatedRequestsNeverCrashAndEveryRejectionHasAReason() throws Exception {
    KeyPair subject = Falcon.generateKeyPair();
    byte[] valid = SigningRequests.toDer(SigningRequests.create(subject, new CertificateRequestSpec(
        "n1.hypermesh.online", TrustRole.NODE, List.of("n1.hypermesh.online"),
        List.of(InetAddress.getByName("2001:db8::1")), "eu-west")));
    IssuancePolicy policy = IssuancePolicy.defaults("hypermesh.online");
    assertTrue(policy.check(SigningRequests.fromDer(valid), Duration.ofHours(1)) instanceof IssuanceDecision.Approved);

    SplittableRandom random = new SplittableRandom(SEED);
    Map<IssuanceDecision.Reason, Integer> refusals = new EnumMap<>(IssuanceDecision.Reason.class);
    int unparsable = 0;
    int approved = 0;
    long started = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      byte[] input = mutate(valid, random);
      PKCS10CertificationRequest request;
      try {
        request = SigningRequests.fromDer(input);
      } catch (IllegalArgumentException e) {
        assertNotNull(e.getMessage(), "case " + i);
        assertFalse(e.getMessage().isBlank(), "case " + i);
        unparsable++;
        continue;
      }
      IssuanceDecision decision = policy.check(request, Duration.ofHours(1));
      if (decision instanceof IssuanceDecision.Refused refused) {
        assertFalse(refused.detail().isBlank(), "case " + i);
        refusals.merge(refused.reason(), 1, Integer::sum);
      } else {
        IssuanceDecision.Approved ok = (IssuanceDecision.Approved) decision;
        assertEquals(subject.getPublic(), ok.subjectKey(), "case " + i + " approved another key");
        approved++;
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("CSR fuzz: %d cases in %d ms: %d unparsable, %d approved, refused %s%n", CASES, millis,
        unparsable, approved, refusals);
    assertEquals(CASES, unparsable + approved + refusals.values().stream().mapToInt(Integer::intValue).sum());
    assertTrue(unparsable > 0 && !refusals.isEmpty(), "the mutations must reach both the parser and the policy");
    assertTrue(refusals.containsKey(IssuanceDecision.Reason.PROOF_OF_POSSESSION_FAILED), refusals.toString());
  }

  /** One to four edits: bit flips, byte overwrites with boundary values, truncation, insertion, deletion. */
  static byte[] mutate(byte[] valid, SplittableRandom random) {
    byte[] out = valid.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      if (out.length == 0) {
        return out;
      }
      int at = random.nextInt(out.length);
      switch (random.nextInt(6)) {
        case 0 -> out[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> out[at] = (byte) new int[] {0x00, 0x7f, 0x80, 0xff, 0x81, 0x82, 0x84}[random.nextInt(7)];
        case 2 -> out = java.util.Arrays.copyOf(out, at);
        case 3 -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = (byte) random.nextInt(256);
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
        case 4 -> {
          byte[] shorter = new byte[out.length - 1];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
          out = shorter;
        }
        default -> out[at] = (byte) random.nextInt(256);
      }
    }
    return out;
  }
}
