package online.hypermesh.protocol.chain;

import online.hypermesh.protocol.serialization.KryoMessage;

/**
 * Client requests about the committed chain, over STOQ: what `hypermesh chain ...` sends. Any
 * authenticated caller may read; {@link Submit} makes the node sign a transaction with its own
 * identity, so the node allows it only to the roles in hypermesh.consensus.submit-roles.
 */
public sealed interface ChainRequest extends KryoMessage {

  record Head() implements ChainRequest {
  }

  record GetBlock(long height) implements ChainRequest {
  }

  /** @param transactionIdHex the 32-byte transaction id (its digest), as 64 hex digits */
  record TxStatus(String transactionIdHex) implements ChainRequest {
  }

  record Validators() implements ChainRequest {
  }

  /**
   * The node builds an ASSET_REGISTRATION transaction around {@code payload} with all four proofs
   * (its key, plot, stake and location), submits it to its validator and answers once it is
   * committed (or rejected, or {@code waitMillis} passed). {@code breakProof} names one proof
   * (WORK, STAKE, SPACE, TIME) to spoil on purpose, for tests and demos; "" for none.
   */
  record Submit(byte[] payload, String breakProof, long waitMillis) implements ChainRequest {
  }

  /** One CAES account: balance with demurrage as of now, nonce, stake (`caesar balance`). */
  record CaesarAccount(String accountHex) implements ChainRequest {
  }

  /** The conservation breakdown as of now (`caesar supply`). */
  record CaesarSupply() implements ChainRequest {
  }

  /** The last CAES operations touching an account that this node applied (`caesar history`). */
  record CaesarHistory(String accountHex) implements ChainRequest {
  }

  /**
   * A CAES operation signed by its owner: {@code payload} is a {@code caesar.CaesarCodec}
   * encoding carrying the owner authorization. The node wraps it in an envelope of its kind with
   * its own four proofs, submits it and answers ({@link ChainResponse.Submitted}) once committed
   * (the status then says whether the ledger applied it), rejected, or {@code waitMillis} passed.
   * The owner's signature authorizes it, so any authenticated caller may send one.
   */
  record CaesarSubmit(byte[] payload, long waitMillis) implements ChainRequest {
  }

  /**
   * What a relayer carries to another chain for a committed lock or burn on this one (`caesar
   * bridge proof`): the block headers up to a commit certificate, the transaction's Merkle path,
   * and this node's attestation that the chain's ledger applied it.
   */
  record BridgeProof(String transactionIdHex) implements ChainRequest {
  }

  /**
   * What a relayer carries to another chain so that its light client of this chain follows a
   * validator-set change (`caesar bridge follow`): the committed change that started {@code
   * epoch} (1 for the first change), through the headers up to the epoch's base block and the
   * base's commit certificate.
   */
  record EpochProof(long epoch) implements ChainRequest {
  }

  /** The bridges registered on this chain, their light clients and counters (`caesar bridge status`). */
  record BridgeStatus() implements ChainRequest {
  }

  /** The current epoch: its number, signing chain id and validator set (`chain epoch show`). */
  record Epoch() implements ChainRequest {
  }

  /**
   * A validator-set change (`chain epoch submit`): {@code payload} is an {@code bft.EpochChange}
   * encoding, authorized by the signatures of a quorum of the current set. The node wraps it in a
   * VALIDATOR_SET_CHANGE envelope with its own four proofs and answers like {@link CaesarSubmit};
   * the signatures authorize it, so any authenticated caller may send one.
   */
  record EpochSubmit(byte[] payload, long waitMillis) implements ChainRequest {
  }
}
