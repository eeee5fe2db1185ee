package online.hypermesh.protocol.consensus.proof;

/** What a rejection blames: one of the four proofs, or the envelope when it could not be read. */
public enum ProofKind {
  /** Not a proof: the encoded transaction is malformed or out of bounds. */
  ENVELOPE,
  /** PoStake (who): signature, certificate chain, bonded stake. */
  STAKE,
  /** PoWork (what/how): hashcash, job re-execution. */
  WORK,
  /** PoSpace (where): location claim, storage challenge answer. */
  SPACE,
  /** PoTime (when): tick reference, time window, replay. */
  TIME,
  /**
   * Not a proof: the four proofs hold, but the payload can only fail where its kind applies
   * (a CAES operation that does not decode, whose owner authorization does not verify, or whose
   * nonce is already used).
   */
  PAYLOAD
}
