package online.hypermesh.protocol.consensus.bft;

/**
 * Proof that one validator signed two conflicting messages for one round. It carries both signed
 * messages, so anyone with the validator set can check it (for slashing, or an operator alert).
 */
public sealed interface Evidence {

  int offender();

  long round();

  Verdict verify(ValidatorSet set, SignatureVerifier verifier);

  /** A leader proposed two different blocks in one round. */
  record ConflictingProposals(Proposal first, Proposal second) implements Evidence {

    @Override
    public int offender() {
      return first.block().proposer();
    }

    @Override
    public long round() {
      return first.round();
    }

    @Override
    public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
      if (first.block().proposer() != second.block().proposer() || first.round() != second.round()
          || first.block().id().equals(second.block().id())) {
        return Verdict.reject("not two different proposals by one validator for one round");
      }
      Verdict a = first.verifySignature(set, verifier);
      return a.rejected() ? a : second.verifySignature(set, verifier);
    }
  }

  /** A validator voted for two different blocks in one round. */
  record ConflictingVotes(Vote first, Vote second) implements Evidence {

    @Override
    public int offender() {
      return first.voter();
    }

    @Override
    public long round() {
      return first.round();
    }

    @Override
    public Verdict verify(ValidatorSet set, SignatureVerifier verifier) {
      if (first.voter() != second.voter() || first.round() != second.round()
          || first.data().equals(second.data())) {
        return Verdict.reject("not two different votes by one validator for one round");
      }
      Verdict a = first.verify(set, verifier);
      return a.rejected() ? a : second.verify(set, verifier);
    }
  }
}
