package online.hypermesh.protocol.consensus.proof;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.crypto.CertificateVerifier;

/**
 * A transaction envelope: what it changes ({@code kind}, {@code payload}), who sends it (the
 * sender's certificate chain as DER, leaf first), a sender-chosen {@code nonce} that makes equal
 * requests distinct, the sender's timestamp, an optional job claim, and the four proofs.
 *
 * <p>A proof may be null: such a transaction is "missing" that proof and is rejected naming it.
 * The digest ({@link TransactionDigest}) covers everything except the parts that must exclude
 * themselves: the stake signature, the hashcash nonce and the storage answer. Its value is the
 * transaction id.
 *
 * <p>The chain stays DER: the digest covers the exact bytes sent, and parsing is PoStake's job
 * (a chain that does not parse is a failed PoStake, not a malformed envelope). Byte arrays are
 * copied in and out; compare transactions by their encoding ({@link TransactionCodec}).
 */
public record Transaction(
    TransactionKind kind,
    byte[] payload,
    List<byte[]> senderChain,
    long nonce,
    long timestampMillis,
    JobClaim job,
    StakeProof stake,
    WorkProof work,
    SpaceProof space,
    TimeProof time) {

  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
  public static final int MAX_CERTIFICATE_BYTES = 16 * 1024;
  public static final int MAX_CHAIN = CertificateVerifier.MAX_CHAIN;

  public Transaction {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(senderChain, "senderChain");
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload must be at most " + MAX_PAYLOAD_BYTES + " bytes, not " + payload.length);
    }
    if (senderChain.isEmpty() || senderChain.size() > MAX_CHAIN) {
      throw new IllegalArgumentException(
          "sender chain must hold 1.." + MAX_CHAIN + " certificates, not " + senderChain.size());
    }
    List<byte[]> chain = new ArrayList<>(senderChain.size());
    for (byte[] der : senderChain) {
      if (der == null || der.length == 0 || der.length > MAX_CERTIFICATE_BYTES) {
        throw new IllegalArgumentException(
            "certificates must be 1.." + MAX_CERTIFICATE_BYTES + " bytes of DER");
      }
      chain.add(der.clone());
    }
    payload = payload.clone();
    senderChain = List.copyOf(chain);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public List<byte[]> senderChain() {
    List<byte[]> copy = new ArrayList<>(senderChain.size());
    for (byte[] der : senderChain) {
      copy.add(der.clone());
    }
    return copy;
  }

  /** The transaction id: its digest ({@link TransactionDigest#of}). */
  public byte[] id() {
    return TransactionDigest.of(this);
  }

  /** Package-private views without copies, for the encoders. */
  byte[] payloadBytes() {
    return payload;
  }

  List<byte[]> chainBytes() {
    return senderChain;
  }

  public Transaction withStake(StakeProof proof) {
    return new Transaction(kind, payload, senderChain, nonce, timestampMillis, job, proof, work,
        space, time);
  }

  public Transaction withWork(WorkProof proof) {
    return new Transaction(kind, payload, senderChain, nonce, timestampMillis, job, stake, proof,
        space, time);
  }

  public Transaction withSpace(SpaceProof proof) {
    return new Transaction(kind, payload, senderChain, nonce, timestampMillis, job, stake, work,
        proof, time);
  }

  public Transaction withTime(TimeProof proof) {
    return new Transaction(kind, payload, senderChain, nonce, timestampMillis, job, stake, work,
        space, proof);
  }

  @Override
  public String toString() {
    return "Transaction[" + kind + ", payload " + payload.length + " B, nonce " + nonce + ", at "
        + timestampMillis + ", stake " + (stake != null) + ", work " + (work != null)
        + ", space " + (space != null) + ", time " + (time != null) + "]";
  }
}
