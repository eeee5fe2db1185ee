package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A timeout certificate: 2f+1 validators signed that they gave up on {@link #round}, each naming
 * the round of the highest QC it held. A proposal justified by a TC must extend a QC at least as
 * high as the highest of those: that is what keeps a 2-chain commit safe across view changes.
 */
public record TimeoutCert(long round, SortedMap<Integer, Entry> entries) {

  private static final byte[] DOMAIN = "HM-BFT-TIMEOUT-1".getBytes(StandardCharsets.US_ASCII);

  /** One signer's contribution. */
  public record Entry(long highQcRound, byte[] signature) {}

  public TimeoutCert {
    entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
  }

  public long highestQcRound() {
    long max = 0;
    for (Entry e : entries.values()) {
      max = Math.max(max, e.highQcRound());
    }
    return max;
  }

  static byte[] signingBytes(Digest chainId, long round, long highQcRound) {
    return new WireWriter().raw(DOMAIN).digest(chainId).i64(round).i64(highQcRound).toByteArray();
  }

  public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
    if (round < 1) {
      return Verdict.reject("timeout certificate for round " + round);
    }
    if (entries.size() < set.quorum()) {
      return Verdict.reject(
          "timeout certificate has " + entries.size() + " signatures, needs " + set.quorum());
    }
    for (Map.Entry<Integer, Entry> e : entries.entrySet()) {
      if (!set.contains(e.getKey())) {
        return Verdict.reject("timeout certificate signer " + e.getKey() + " is not a validator");
      }
      if (e.getValue().highQcRound() >= round) {
        return Verdict.reject("timeout certificate entry claims a QC at or after its round");
      }
      byte[] message = signingBytes(set.signingChainId(), round, e.getValue().highQcRound());
      if (!verifier.verify(set.publicKey(e.getKey()), message, e.getValue().signature())) {
        return Verdict.reject("timeout certificate: bad signature from validator " + e.getKey());
      }
    }
    return Verdict.accept();
  }

  Digest digest() {
    WireWriter w = new WireWriter();
    encode(w);
    return Digest.sha256(w.toByteArray());
  }

  void encode(WireWriter w) {
    w.i64(round).u16(entries.size());
    for (Map.Entry<Integer, Entry> e : entries.entrySet()) {
      w.u16(e.getKey()).i64(e.getValue().highQcRound()).bytes(e.getValue().signature());
    }
  }

  static TimeoutCert decode(WireReader r) {
    long round = r.counter("round");
    int count = r.u16("entry count");
    if (count > Codec.MAX_VALIDATORS) {
      throw new WireReader.Malformed("timeout certificate with " + count + " entries");
    }
    TreeMap<Integer, Entry> entries = new TreeMap<>();
    int previous = -1;
    for (int i = 0; i < count; i++) {
      int signer = r.u16("signer");
      if (signer <= previous) {
        throw new WireReader.Malformed("timeout certificate signers not strictly increasing");
      }
      previous = signer;
      long hqc = r.counter("high QC round");
      entries.put(signer, new Entry(hqc, r.bytes("signature", Codec.MAX_SIGNATURE_BYTES)));
    }
    return new TimeoutCert(round, entries);
  }
}
