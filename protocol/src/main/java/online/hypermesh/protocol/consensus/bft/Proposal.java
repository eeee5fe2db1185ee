package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;

/**
 * The leader's signed block for its round. When the parent QC is not from the previous round, the
 * proposal carries the TC of the previous round that allows the leader to skip ahead.
 */
public record Proposal(Block block, TimeoutCert tc, byte[] signature) implements ConsensusMessage {

  private static final byte[] DOMAIN = "HM-BFT-PROPOSAL-1".getBytes(StandardCharsets.US_ASCII);

  public static Proposal sign(Block block, TimeoutCert tc, Signer signer, Digest chainId) {
    return new Proposal(block, tc, signer.sign(signingBytes(chainId, block.id())));
  }

  static byte[] signingBytes(Digest chainId, Digest blockId) {
    return new WireWriter().raw(DOMAIN).digest(chainId).digest(blockId).toByteArray();
  }

  public long round() {
    return block.round();
  }

  /** Only the proposer's signature: certificates are checked (and cached) separately. */
  public Verdict verifySignature(ValidatorSet set, SignatureVerifier verifier) {
    int proposer = block.proposer();
    if (!set.contains(proposer)) {
      return Verdict.reject("proposer " + proposer + " is not a validator");
    }
    if (!verifier.verify(set.publicKey(proposer), signingBytes(set.signingChainId(), block.id()), signature)) {
      return Verdict.reject("bad proposal signature from validator " + proposer);
    }
    return Verdict.accept();
  }

  void encode(WireWriter w) {
    block.encode(w);
    w.u8(tc == null ? 0 : 1);
    if (tc != null) {
      tc.encode(w);
    }
    w.bytes(signature);
  }

  static Proposal decode(WireReader r) {
    Block block = Block.decode(r);
    TimeoutCert tc = r.flag("TC") ? TimeoutCert.decode(r) : null;
    return new Proposal(block, tc, r.bytes("signature", Codec.MAX_SIGNATURE_BYTES));
  }
}
