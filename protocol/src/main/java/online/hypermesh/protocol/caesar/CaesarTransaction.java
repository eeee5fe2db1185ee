package online.hypermesh.protocol.caesar;

import java.util.Objects;
import online.hypermesh.protocol.consensus.bft.Digest;

/**
 * The payload of a CAES consensus transaction ({@link CaesarCodec} is its wire form). The sender
 * is not in the payload: it is the account of the envelope's signing key ({@link
 * online.hypermesh.protocol.consensus.proof.Accounts}), which PoStake has verified. {@code nonce}
 * is the sender's account nonce: the ledger applies nonce n only as the account's n-th operation,
 * so a transaction applies at most once and in order.
 */
public sealed interface CaesarTransaction {

  record Transfer(long nonce, Digest to, long amount, String memo) implements CaesarTransaction {
    public Transfer {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(memo, "memo");
    }
  }

  record Bond(long nonce, long amount) implements CaesarTransaction {}

  record Unbond(long nonce, long amount) implements CaesarTransaction {}

  /** Lock here, for {@code recipient} on {@code remoteChain} (its validator set's chain id). */
  record Lock(long nonce, Digest remoteChain, Digest recipient, long amount)
      implements CaesarTransaction {
    public Lock {
      Objects.requireNonNull(remoteChain, "remoteChain");
      Objects.requireNonNull(recipient, "recipient");
    }
  }

  /** Burn units that came from {@code remoteChain}, released there to {@code recipient}. */
  record Burn(long nonce, Digest remoteChain, Digest recipient, long amount)
      implements CaesarTransaction {
    public Burn {
      Objects.requireNonNull(remoteChain, "remoteChain");
      Objects.requireNonNull(recipient, "recipient");
    }
  }

  /**
   * A relayer's claim that a lock or burn committed on a remote chain pays {@code amount} to
   * {@code recipient} here, with the proof. Anyone may send it; the escrow checks everything.
   */
  record Redeem(Digest recipient, long amount, InclusionProof proof) implements CaesarTransaction {
    public Redeem {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(proof, "proof");
    }
  }
}
