package online.hypermesh.protocol.caesar;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.SignatureVerifier;
import online.hypermesh.protocol.consensus.bft.Signer;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;

/**
 * A source-chain validator's signature on "my ledger applied transaction T, committed at height
 * h". A commit certificate proves that T is in the chain, not that the ledger applied it: a lock
 * whose owner spent the funds earlier in the same block is committed all the same, and bft blocks
 * carry no receipt root. Execution is deterministic, so an honest validator's attestation is
 * true; more than f of them (f the most faulty validators the set tolerates) include an honest
 * one, so the destination chain requires at least f + 1 distinct signers of the set in force at h.
 *
 * <p>Signed bytes: "HM-CAES-APPLIED-1" || signing chain id || transaction id || u64 height. The
 * signing chain id is that of the epoch in force at h ({@link ValidatorSet#signingChainId}: the
 * chain id in epoch 0), so an attestation binds the set that signs it, as votes do: a validator
 * retired with its epoch cannot attest a later transaction under an older epoch's id. The domain
 * differs from every consensus message's, so a vote can never pass for an attestation.
 *
 * @param validator the signer's index in the source chain's validator set
 */
public record ExecutionAttestation(int validator, byte[] signature) {

  private static final byte[] DOMAIN = "HM-CAES-APPLIED-1".getBytes(StandardCharsets.US_ASCII);

  public ExecutionAttestation {
    Objects.requireNonNull(signature, "signature");
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutionAttestation a && a.validator == validator
        && java.util.Arrays.equals(a.signature, signature);
  }

  @Override
  public int hashCode() {
    return 31 * validator + java.util.Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "ExecutionAttestation[validator " + validator + ", " + signature.length + " B]";
  }

  /** @param signingChainId the signing chain id of the epoch in force at {@code height} */
  public static byte[] signingBytes(Digest signingChainId, Digest transactionId, long height) {
    return ByteBuffer.allocate(DOMAIN.length + 2 * Digest.LENGTH + Long.BYTES).put(DOMAIN)
        .put(signingChainId.bytes()).put(transactionId.bytes()).putLong(height).array();
  }

  /**
   * @param validator the signer's index in the set in force at {@code height}
   * @param signingChainId that set's {@link ValidatorSet#signingChainId}
   */
  public static ExecutionAttestation sign(Signer signer, int validator, Digest signingChainId,
      Digest transactionId, long height) {
    return new ExecutionAttestation(validator,
        signer.sign(signingBytes(signingChainId, transactionId, height)));
  }

  /** The least number of distinct attesters {@code set} requires: f + 1. */
  public static int required(ValidatorSet set) {
    return set.maxFaulty() + 1;
  }

  /**
   * Whether at least f + 1 distinct validators of {@code set} (the set in force at {@code
   * height}) attest under its signing chain id that {@code transactionId}, committed at {@code
   * height}, was applied; a refusal says how many valid signers there were.
   */
  public static Checked<Integer> verify(Collection<ExecutionAttestation> attestations,
      ValidatorSet set, SignatureVerifier verifier, Digest transactionId, long height) {
    byte[] message = signingBytes(set.signingChainId(), transactionId, height);
    Set<Integer> valid = new HashSet<>();
    for (ExecutionAttestation a : attestations) {
      if (set.contains(a.validator()) && !valid.contains(a.validator())
          && verifier.verify(set.publicKey(a.validator()), message, a.signature)) {
        valid.add(a.validator());
      }
    }
    int required = required(set);
    if (valid.size() < required) {
      return Checked.refused(Rejection.NOT_ATTESTED, valid.size() + " of "
          + attestations.size() + " attestations that chain " + set.chainId()
          + " applied transaction " + transactionId + " at height " + height
          + " verify; at least " + required + " of the " + set.size() + " validators of its epoch "
          + set.epoch() + " must attest");
    }
    return Checked.ok(valid.size());
  }
}
