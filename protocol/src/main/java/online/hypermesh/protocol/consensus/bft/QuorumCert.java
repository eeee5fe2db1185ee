package online.hypermesh.protocol.consensus.bft;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A quorum certificate: 2f+1 signatures over the same {@link VoteData}. Signatures are kept sorted
 * by validator index so the encoding is canonical.
 */
public record QuorumCert(VoteData data, SortedMap<Integer, byte[]> signatures) {

  public QuorumCert {
    signatures = Collections.unmodifiableSortedMap(new TreeMap<>(signatures));
  }

  static QuorumCert genesis(Digest genesisId, long height) {
    return new QuorumCert(new VoteData(genesisId, 0, height, Digest.ZERO, 0), new TreeMap<>());
  }

  public Digest blockId() {
    return data.blockId();
  }

  public long round() {
    return data.round();
  }

  public long height() {
    return data.height();
  }

  public boolean isGenesis(ValidatorSet set) {
    return data.round() == 0 && data.equals(set.genesisQc().data()) && signatures.isEmpty();
  }

  /** Checks count, membership and every signature: standalone, needs only the validator set. */
  public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
    if (isGenesis(set)) {
      return Verdict.accept();
    }
    Verdict shape = data.check();
    if (shape.rejected()) {
      return Verdict.reject("quorum certificate: " + shape.reason());
    }
    if (signatures.size() < set.quorum()) {
      return Verdict.reject(
          "quorum certificate has " + signatures.size() + " signatures, needs " + set.quorum());
    }
    byte[] message = data.signingBytes(set.signingChainId());
    for (Map.Entry<Integer, byte[]> e : signatures.entrySet()) {
      if (!set.contains(e.getKey())) {
        return Verdict.reject("quorum certificate signer " + e.getKey() + " is not a validator");
      }
      if (!verifier.verify(set.publicKey(e.getKey()), message, e.getValue())) {
        return Verdict.reject("quorum certificate: bad signature from validator " + e.getKey());
      }
    }
    return Verdict.accept();
  }

  /**
   * SHA-256 of {@link Codec#encode(QuorumCert)}: identity of this exact certificate (data and every
   * signature). A {@link BlockHeader} commits its parent certificate by it; verification caches
   * key on it.
   */
  public Digest digest() {
    WireWriter w = new WireWriter();
    encode(w);
    return Digest.sha256(w.toByteArray());
  }

  void encode(WireWriter w) {
    data.encode(w);
    w.u16(signatures.size());
    for (Map.Entry<Integer, byte[]> e : signatures.entrySet()) {
      w.u16(e.getKey()).bytes(e.getValue());
    }
  }

  static QuorumCert decode(WireReader r) {
    VoteData data = VoteData.decode(r);
    int count = r.u16("signature count");
    if (count > Codec.MAX_VALIDATORS) {
      throw new WireReader.Malformed("quorum certificate with " + count + " signatures");
    }
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    int previous = -1;
    for (int i = 0; i < count; i++) {
      int signer = r.u16("signer");
      if (signer <= previous) {
        throw new WireReader.Malformed("quorum certificate signers not strictly increasing");
      }
      previous = signer;
      sigs.put(signer, r.bytes("signature", Codec.MAX_SIGNATURE_BYTES));
    }
    return new QuorumCert(data, sigs);
  }
}
