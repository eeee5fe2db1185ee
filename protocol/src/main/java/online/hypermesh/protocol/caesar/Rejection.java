package online.hypermesh.protocol.caesar;

/** Why an operation was refused. The ledger and the bridge are unchanged by a refused operation. */
public enum Rejection {
  NON_POSITIVE_AMOUNT,
  UNKNOWN_ACCOUNT,
  BAD_NONCE,
  /** The liquid balance, after demurrage up to the block time, is below the amount. */
  INSUFFICIENT_FUNDS,
  INSUFFICIENT_BONDED,
  /** The block time or height is before the last one applied. */
  CLOCK_BACKWARDS,
  MEMO_TOO_LONG,
  /** The bridge counter the operation draws on (units sent out, units received) is too small. */
  BRIDGE_LIMIT,
  /** The total would exceed 2^63 - 1 minor units. */
  SUPPLY_OVERFLOW,
  /** The payload is not one the ledger applies directly (a redemption goes to the escrow). */
  NOT_A_LEDGER_OPERATION,
  MALFORMED,
  /** The owner authorization does not verify (signature, certificate, chain, revocation). */
  BAD_AUTHORIZATION,
  /** A redemption on a chain with no bridge registered for its source. */
  NO_BRIDGE,
  // The bridge's refusals.
  BRIDGE_FROZEN,
  NOT_CERTIFIED,
  FORGED_CERTIFICATE,
  STALE_VALIDATOR_SET,
  BAD_INCLUSION_PROOF,
  NOT_A_BRIDGE_TRANSFER,
  WRONG_CHAIN,
  REPLAYED_LOCK,
  MISMATCHED_LOCK,
  CONFLICTING_BLOCKS,
  NOT_A_VALIDATOR_SET_CHANGE,
  /** Fewer than f + 1 of the source chain's validators attest that its ledger applied the transfer. */
  NOT_ATTESTED,
  /** A bridge registration not signed by the chain's bridge admin. */
  NOT_BRIDGE_ADMIN,
  /** A bridge to that chain is registered already. */
  BRIDGE_EXISTS
}
