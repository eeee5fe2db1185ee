package online.hypermesh.protocol.consensus.bft;

/**
 * A validator gives up on {@link #round}: broadcast to all, carrying its highest QC (so the next
 * leader can extend it and lagging validators catch up) and the TC that justified its round, if
 * any. The signature covers only the round and the QC's round, so timeouts aggregate into a
 * {@link TimeoutCert}.
 */
public record Timeout(long round, QuorumCert highQc, TimeoutCert lastTc, int signer, byte[] signature)
    implements ConsensusMessage {

  public static Timeout sign(
      long round, QuorumCert highQc, TimeoutCert lastTc, int signer, Signer key, Digest chainId) {
    byte[] sig = key.sign(TimeoutCert.signingBytes(chainId, round, highQc.round()));
    return new Timeout(round, highQc, lastTc, signer, sig);
  }

  public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
    if (!set.contains(signer)) {
      return Verdict.reject("timeout signer " + signer + " is not a validator");
    }
    if (round < 1 || highQc.round() >= round) {
      return Verdict.reject("timeout for round " + round + " with QC of round " + highQc.round());
    }
    if (lastTc != null && lastTc.round() >= round) {
      return Verdict.reject("timeout carries a TC not below its round");
    }
    byte[] message = TimeoutCert.signingBytes(set.signingChainId(), round, highQc.round());
    if (!verifier.verify(set.publicKey(signer), message, signature)) {
      return Verdict.reject("bad timeout signature from validator " + signer);
    }
    return Verdict.accept();
  }

  void encode(WireWriter w) {
    w.i64(round);
    highQc.encode(w);
    w.u8(lastTc == null ? 0 : 1);
    if (lastTc != null) {
      lastTc.encode(w);
    }
    w.u16(signer).bytes(signature);
  }

  static Timeout decode(WireReader r) {
    long round = r.counter("round");
    QuorumCert qc = QuorumCert.decode(r);
    TimeoutCert tc = r.flag("TC") ? TimeoutCert.decode(r) : null;
    int signer = r.u16("signer");
    return new Timeout(round, qc, tc, signer, r.bytes("signature", Codec.MAX_SIGNATURE_BYTES));
  }
}
