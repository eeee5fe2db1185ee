package online.hypermesh.protocol.consensus.bft;

/** One validator's signed vote for a block, sent to the leader of the next round. */
public record Vote(VoteData data, int voter, byte[] signature) implements ConsensusMessage {

  public static Vote sign(VoteData data, int voter, Signer signer, Digest chainId) {
    return new Vote(data, voter, signer.sign(data.signingBytes(chainId)));
  }

  public long round() {
    return data.round();
  }

  public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
    if (!set.contains(voter)) {
      return Verdict.reject("voter " + voter + " is not a validator");
    }
    Verdict shape = data.check();
    if (shape.rejected()) {
      return shape;
    }
    if (!verifier.verify(set.publicKey(voter), data.signingBytes(set.signingChainId()), signature)) {
      return Verdict.reject("bad vote signature from validator " + voter);
    }
    return Verdict.accept();
  }

  void encode(WireWriter w) {
    data.encode(w);
    w.u16(voter).bytes(signature);
  }

  static Vote decode(WireReader r) {
    VoteData data = VoteData.decode(r);
    int voter = r.u16("voter");
    return new Vote(data, voter, r.bytes("signature", Codec.MAX_SIGNATURE_BYTES));
  }
}
