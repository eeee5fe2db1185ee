package online.hypermesh.protocol.consensus.proof;

import java.util.Optional;

/**
 * What a transaction changes. The code is on the wire and in the digest: codes are never reused
 * or renumbered, new kinds get new codes.
 */
public enum TransactionKind {
  ASSET_REGISTRATION(1),
  ASSET_ALLOCATION(2),
  TOKEN_TRANSFER(3),
  STAKE_BOND(4),
  STAKE_UNBOND(5),
  CERTIFICATE_ISSUANCE(6),
  CERTIFICATE_REVOCATION(7),
  /** A Catalog job result: PoWork also re-executes the job (see {@link JobClaim}). */
  JOB_RESULT(8),
  VALIDATOR_SET_CHANGE(9),
  /** CAES locked here for another chain (a Caesar payload, see caesar.CaesarCodec). */
  BRIDGE_LOCK(10),
  /** Wrapped CAES burned here, to be released on the chain it came from. */
  BRIDGE_BURN(11),
  /** A relayed, proven remote lock or burn paid out here. */
  BRIDGE_REDEEM(12),
  /** An owner registers a bridge to a remote chain (its validator set; caesar Register). */
  BRIDGE_REGISTER(13),
  /** A relayer's proof of a remote chain's validator-set change, followed by its light client. */
  BRIDGE_FOLLOW(14);

  private final int code;

  TransactionKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Optional<TransactionKind> fromCode(int code) {
    for (TransactionKind kind : values()) {
      if (kind.code == code) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
