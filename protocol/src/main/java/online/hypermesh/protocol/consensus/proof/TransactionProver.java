package online.hypermesh.protocol.consensus.proof;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Identity;

/**
 * The sender's side: builds a transaction with all four proofs from the node's identity, plot and
 * location. {@link #prove} does everything; the steps are public so a caller (or a test) can
 * leave one out or replace it.
 *
 * <p>Order matters only in that the digest must be final first: the draft fixes every digested
 * field (including the tick reference and the location claim), then signing, hashcash and the
 * storage answer each extend that digest without changing it; the answer comes after the hashcash,
 * whose nonce seeds the challenge.
 */
public final class TransactionProver {

  private final ChainParameters params;
  private final Identity identity;
  private final List<byte[]> chain;
  private final Plot plot;
  private final LocationClaim location;

  public TransactionProver(
      ChainParameters params, Identity identity, Plot plot, LocationClaim location) {
    this.params = Objects.requireNonNull(params, "params");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.plot = Objects.requireNonNull(plot, "plot");
    this.location = Objects.requireNonNull(location, "location");
    this.chain = encode(identity.chain());
  }

  /** Every proof, against {@code reference} (a recent committed block). */
  public Transaction prove(TransactionKind kind, byte[] payload, long nonce, long timestampMillis,
      JobClaim job, BlockTick reference) {
    Transaction tx = draft(kind, payload, nonce, timestampMillis, job, reference.reference(),
        location);
    return answer(work(sign(tx)), reference.blockHash());
  }

  /**
   * A transaction with its digested fields and no proof of its own yet (a non-null {@code
   * claim} gives a space proof with an empty answer).
   */
  public Transaction draft(TransactionKind kind, byte[] payload, long nonce, long timestampMillis,
      JobClaim job, TimeProof time, LocationClaim claim) {
    SpaceProof space = claim == null ? null : new SpaceProof(claim, List.of());
    return new Transaction(kind, payload, chain, nonce, timestampMillis, job, null, null, space,
        time);
  }

  public Transaction sign(Transaction tx) {
    byte[] digest = TransactionDigest.of(tx);
    return tx.withStake(new StakeProof(
        Falcon.sign(identity.privateKey(), TransactionDigest.signedBytes(digest))));
  }

  public Transaction work(Transaction tx) {
    return tx.withWork(new WorkProof(
        Hashcash.solve(TransactionDigest.of(tx), params.workDifficulty())));
  }

  /** Opens the challenged leaves; needs the location claim and the hashcash nonce. */
  public Transaction answer(Transaction tx, byte[] challengeBlockHash) {
    if (tx.space() == null || tx.work() == null) {
      throw new IllegalArgumentException("answering needs a location claim and a work nonce");
    }
    long[] indices = SpaceChallenge.indices(challengeBlockHash, TransactionDigest.of(tx),
        tx.work().nonce(), plot.leafCount(), params.challengeCount());
    return tx.withSpace(new SpaceProof(tx.space().claim(), plot.answer(indices)));
  }

  private static List<byte[]> encode(List<X509Certificate> certificates) {
    List<byte[]> ders = new ArrayList<>(certificates.size());
    for (X509Certificate certificate : certificates) {
      try {
        ders.add(certificate.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
      }
    }
    return ders;
  }
}
