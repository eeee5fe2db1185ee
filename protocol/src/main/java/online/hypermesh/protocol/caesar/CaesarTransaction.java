package online.hypermesh.protocol.caesar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
   * A relayer's claim that a lock or burn committed on remote chain {@code sourceChain} pays
   * {@code amount} to {@code recipient} here, with the proof and the source validators'
   * {@link ExecutionAttestation}s that their ledger applied it. Anyone may send it; the escrow of
   * {@code sourceChain} checks everything.
   */
  record Redeem(Digest sourceChain, Digest recipient, long amount, InclusionProof proof,
      List<ExecutionAttestation> attestations) implements CaesarTransaction {

    /** At most this many attestations: more than a third of the largest set a bridge registers. */
    public static final int MAX_ATTESTATIONS = 32;

    public Redeem {
      Objects.requireNonNull(sourceChain, "sourceChain");
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(proof, "proof");
      attestations = List.copyOf(attestations);
      if (attestations.size() > MAX_ATTESTATIONS) {
        throw new IllegalArgumentException(
            attestations.size() + " attestations, at most " + MAX_ATTESTATIONS);
      }
    }

    /** A claim without attestations (refused as NOT_ATTESTED by a chain that checks them). */
    public Redeem(Digest sourceChain, Digest recipient, long amount, InclusionProof proof) {
      this(sourceChain, recipient, amount, proof, List.of());
    }
  }

  /**
   * A relayer's proof that remote chain {@code sourceChain} committed a validator-set change
   * (its kind-9 transaction, through the headers up to the epoch's base block and the base's
   * commit certificate): the light client of {@code sourceChain} follows it ({@link
   * BridgeLightClient#followValidatorSet}). Anyone may send it; the light client checks
   * everything, including the change's authorization by a quorum of the set it ends.
   */
  record Follow(Digest sourceChain, InclusionProof proof) implements CaesarTransaction {
    public Follow {
      Objects.requireNonNull(sourceChain, "sourceChain");
      Objects.requireNonNull(proof, "proof");
    }
  }

  /**
   * Bridge set-up, signed by an owner: trust {@code validatorKeys} (the remote chain's validators'
   * public keys as X.509 encodings, in index order) as chain {@code remoteChain}'s set from
   * {@code trustedFromHeight} on. The chain state applies it; the ledger does not.
   */
  final class Register implements CaesarTransaction {

    public static final int MAX_KEYS = 32;
    public static final int MAX_KEY_BYTES = 4096;

    private final long nonce;
    private final Digest remoteChain;
    private final long trustedFromHeight;
    private final List<byte[]> validatorKeys;

    /** Throws IllegalArgumentException unless there are 1..32 keys of 1..4096 bytes each. */
    public Register(long nonce, Digest remoteChain, long trustedFromHeight,
        List<byte[]> validatorKeys) {
      this.nonce = nonce;
      this.remoteChain = Objects.requireNonNull(remoteChain, "remoteChain");
      this.trustedFromHeight = trustedFromHeight;
      Objects.requireNonNull(validatorKeys, "validatorKeys");
      if (validatorKeys.isEmpty() || validatorKeys.size() > MAX_KEYS) {
        throw new IllegalArgumentException("a bridge registers 1.." + MAX_KEYS
            + " validator keys, not " + validatorKeys.size());
      }
      List<byte[]> copy = new ArrayList<>(validatorKeys.size());
      for (byte[] key : validatorKeys) {
        if (key == null || key.length == 0 || key.length > MAX_KEY_BYTES) {
          throw new IllegalArgumentException(
              "validator keys are 1.." + MAX_KEY_BYTES + " bytes of X.509");
        }
        copy.add(key.clone());
      }
      this.validatorKeys = List.copyOf(copy);
    }

    public long nonce() {
      return nonce;
    }

    public Digest remoteChain() {
      return remoteChain;
    }

    public long trustedFromHeight() {
      return trustedFromHeight;
    }

    /** Copies, in index order. */
    public List<byte[]> validatorKeys() {
      return validatorKeys.stream().map(byte[]::clone).toList();
    }

    /** Package view without copies, for the codec. */
    List<byte[]> keyBytes() {
      return validatorKeys;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Register r) || r.nonce != nonce || !r.remoteChain.equals(remoteChain)
          || r.trustedFromHeight != trustedFromHeight
          || r.validatorKeys.size() != validatorKeys.size()) {
        return false;
      }
      for (int i = 0; i < validatorKeys.size(); i++) {
        if (!Arrays.equals(validatorKeys.get(i), r.validatorKeys.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = Objects.hash(nonce, remoteChain, trustedFromHeight);
      for (byte[] key : validatorKeys) {
        h = 31 * h + Arrays.hashCode(key);
      }
      return h;
    }

    @Override
    public String toString() {
      return "Register[nonce " + nonce + ", chain " + remoteChain + " from height "
          + trustedFromHeight + ", " + validatorKeys.size() + " keys]";
    }
  }
}
