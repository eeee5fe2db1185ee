package online.hypermesh.protocol.trustchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoCodecException;
import org.junit.jupiter.api.Test;

/** Every TrustChain API message round-trips through the Kryo codec, nulls included; truncations are refused. */
class TrustChainMessagesTest {

  private static final KryoCodec CODEC = KryoCodec.of(new ProtocolRegistrar());
  private static final LogSigner SIGNER = LogSigner.generate();

  static List<Object> samples() {
    SignedTreeHead head = SIGNER.signTreeHead(3, 42, new byte[32]);
    byte[] key = SIGNER.publicKey().getEncoded();
    return List.of(
        new TrustChainRequest.Issue(new byte[] {0x30, 1, 2}, 0),
        new TrustChainRequest.Revoke("a1b2", "keyCompromise"),
        new TrustChainRequest.Status("a1b2"),
        new TrustChainRequest.GetTreeHead(),
        new TrustChainRequest.ProofByIndex(2, 0),
        new TrustChainRequest.ProofByCertificate(new byte[] {1, 2}, 3),
        new TrustChainRequest.Consistency(1, 3),
        new TrustChainRequest.GetEntries(0, 9),
        new TrustChainRequest.Renew(new byte[] {0x30, 1}, new byte[] {0x30, 2}, 30),
        new TrustChainResponse.Issued(new byte[] {1}, List.of(new byte[] {2}, new byte[] {3}),
            SIGNER.receipt(2, new byte[32], 42), key),
        new TrustChainResponse.Revoked("a1b2", RevocationReason.SUPERSEDED, 42),
        new TrustChainResponse.Status("a1b2", TrustChainResponse.CertificateState.REVOKED,
            RevocationReason.KEY_COMPROMISE, 42, 7, 99),
        new TrustChainResponse.Status("a1b2", TrustChainResponse.CertificateState.UNKNOWN, null, 0, -1, 0),
        new TrustChainResponse.TreeHead(head, key),
        new TrustChainResponse.InclusionProof(1, new byte[] {5}, List.of(new byte[32]), head, key),
        new TrustChainResponse.ConsistencyProof(head, head, List.of(), key),
        new TrustChainResponse.Entries(0, List.of(new byte[] {1}, new byte[0])),
        new TrustChainResponse.Rejected(TrustChainResponse.Reason.NOT_AUTHORIZED, "no"));
  }

  @Test
  void everyMessageRoundTripsAndEveryClassHasASample() {
    List<Class<?>> covered = new ArrayList<>();
    for (Object sample : samples()) {
      byte[] bytes = CODEC.encode(sample);
      Object back = CODEC.decode(bytes);
      assertEquals(sample.getClass(), back.getClass());
      assertArrayEquals(bytes, CODEC.encode(back), sample.toString());
      covered.add(sample.getClass());
      for (int cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length / 7)) {
        byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
        assertThrows(KryoCodecException.class, () -> CODEC.decode(truncated), sample + " cut at " + cut);
      }
    }
    for (Class<?> root : List.of(TrustChainRequest.class, TrustChainResponse.class)) {
      for (Class<?> sub : root.getPermittedSubclasses()) {
        assertTrue(sub.isEnum() || covered.contains(sub), "no sample for " + sub.getName());
      }
    }
  }

  @Test
  void revocationReasonsParseInTheirUsualSpellings() {
    assertEquals(RevocationReason.KEY_COMPROMISE, RevocationReason.parse("keyCompromise").orElseThrow());
    assertEquals(RevocationReason.KEY_COMPROMISE, RevocationReason.parse("key-compromise").orElseThrow());
    assertEquals(RevocationReason.CA_COMPROMISE, RevocationReason.parse("cACompromise").orElseThrow());
    assertTrue(RevocationReason.parse("because").isEmpty());
    assertTrue(RevocationReason.parse(null).isEmpty());
  }
}
