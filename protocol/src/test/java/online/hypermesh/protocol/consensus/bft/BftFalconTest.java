package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import online.hypermesh.protocol.crypto.Falcon;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same protocol with real FALCON-1024 signatures on every proposal, vote and timeout. */
class BftFalconTest {

  private static final List<KeyPair> PAIRS = new ArrayList<>();
  private static final List<byte[]> PUBLIC_KEYS = new ArrayList<>();

  @BeforeAll
  static void keys() {
    for (int i = 0; i < 4; i++) {
      KeyPair pair = Falcon.generateKeyPair();
      PAIRS.add(pair);
      PUBLIC_KEYS.add(pair.getPublic().getEncoded());
    }
  }

  private static Scenario falcon(long seed) {
    Scenario s = new Scenario(seed);
    s.publicKeys = PUBLIC_KEYS;
    s.signers = i -> new FalconSigner(PAIRS.get(i).getPrivate());
    s.verifiers = FalconVerifier::new;
    return s;
  }

  @Test
  void fourFalconValidatorsCommitWithACheckableCertificate() {
    Scenario s = falcon(101);
    s.settleMillis = 0;
    s.runAfterSettle = 1200;
    s.submitUntil = 800;
    s.run().assertSafe();
    assertTrue(s.minHonestHeight() >= 10, s.summary());
    HonestReplica h = s.honest.get(2);
    byte[] encoded = Codec.encode(h.lastCertificate);
    CommitCertificate cert = Codec.decodeCommitCertificate(encoded).value();
    // Anyone: a fresh verifier and the validator set's public keys, nothing else.
    ValidatorSet set = new ValidatorSet(s.set.chainId(), PUBLIC_KEYS, s.set.timing());
    assertTrue(cert.verify(set, new FalconVerifier()).accepted());
    assertEquals(h.committed.get((int) cert.height() - 1).id(), cert.blockId());
    for (byte[] sig : cert.qc().signatures().values()) {
      assertTrue(sig.length > 600 && sig.length <= Falcon.MAX_SIGNATURE_BYTES, "FALCON size " + sig.length);
    }
    TreeMap<Integer, byte[]> sigs = new TreeMap<>(cert.qc().signatures());
    int signer = sigs.firstKey();
    sigs.put(signer, keysSign(signer == 0 ? 1 : 0, cert.qc().data().signingBytes(set.chainId())));
    assertEquals("commit certificate: quorum certificate: bad signature from validator " + signer,
        new CommitCertificate(new QuorumCert(cert.qc().data(), sigs))
            .verify(set, new FalconVerifier()).reason());
  }

  @Test
  void equivocationEvidenceWithFalconSignaturesVerifies() {
    ValidatorSet set = TestTiming.set("falcon", PUBLIC_KEYS);
    Signer leader = new FalconSigner(PAIRS.get(set.leader(1)).getPrivate());
    Block a = new Block(1, 1, set.leader(1), set.genesisQc(), TestTiming.first(set, 5), List.of());
    byte[] body = "Tb".getBytes(StandardCharsets.UTF_8);
    Block b = new Block(1, 1, set.leader(1), set.genesisQc(), TestTiming.first(set, 5),
        List.of(new Transaction(Digest.sha256(body), body)));
    Evidence e = new Evidence.ConflictingProposals(
        Proposal.sign(a, null, leader, set.chainId()), Proposal.sign(b, null, leader, set.chainId()));
    assertTrue(e.verify(set, new FalconVerifier()).accepted());
    Signer impostor = new FalconSigner(PAIRS.get(0).getPrivate());
    Evidence framed = new Evidence.ConflictingProposals(
        Proposal.sign(a, null, leader, set.chainId()), Proposal.sign(b, null, impostor, set.chainId()));
    assertFalse(framed.verify(set, new FalconVerifier()).accepted(), "no framing an honest leader");
  }

  private static byte[] keysSign(int index, byte[] message) {
    return Falcon.sign(PAIRS.get(index).getPrivate(), message);
  }
}
