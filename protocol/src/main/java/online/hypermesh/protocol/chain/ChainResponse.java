package online.hypermesh.protocol.chain;

import java.util.List;
import online.hypermesh.protocol.serialization.KryoMessage;

/** Answers to {@link ChainRequest}. Ids are lower-case hex; times are epoch milliseconds. */
public sealed interface ChainResponse extends KryoMessage {

  /**
   * The committed head as this node sees it.
   *
   * @param height 0 before the first commit (the id is then the genesis id)
   * @param commitLatencyP50Millis from submission to commit on this node, over the last
   *     transactions this node submitted (-1 when none yet); likewise p99 and max
   * @param blockTimeMillis the head block's time (its proposer's clock, within the chain's skew)
   */
  record Head(String chainId, String node, long height, String blockId, long blockTimeMillis,
      long round, long commitLatencyP50Millis, long commitLatencyP99Millis,
      long commitLatencyMaxMillis, int latencySamples, int pooledTransactions)
      implements ChainResponse {
  }

  /** @param signers validator indexes whose signatures are in the commit certificate */
  record Block(long height, String blockId, String parentId, long round, int proposer,
      long timeMillis, List<String> transactionIds, List<Integer> signers, String certifiedBy)
      implements ChainResponse {
  }

  enum TxState { PENDING, COMMITTED, REJECTED, UNKNOWN }

  /**
   * @param height the block height when COMMITTED, else -1
   * @param proof the failing proof when REJECTED (STAKE, WORK, SPACE, TIME, ENVELOPE, PAYLOAD,
   *     or OTHER); PAYLOAD also when COMMITTED but the CAES ledger refused the operation (it is
   *     in the chain and changed nothing), {@code reason} then saying why; else ""
   */
  record TxStatus(String transactionId, TxState state, long height, String proof, String reason)
      implements ChainResponse {
  }

  /**
   * @param account the account id (SHA-256 of the validator's public key), hex
   * @param keyFingerprint SHA-256 of the validator's certificate, hex
   * @param live this node currently has a route to the validator (itself, or listed in the
   *     cluster's receptionist)
   * @param lastSignedHeight the highest commit whose certificate carries its signature (-1: none
   *     seen since this node started)
   */
  record ValidatorInfo(int index, String name, String account, String keyFingerprint,
      boolean self, boolean live, long lastSignedHeight) implements KryoMessage {
  }

  record Validators(String chainId, int quorum, List<ValidatorInfo> validators)
      implements ChainResponse {
  }

  record Submitted(String transactionId, TxStatus status) implements ChainResponse {
  }

  /**
   * A CAES account. Amounts are minor units (1 CAES = {@link #UNITS_PER_CAES}).
   *
   * @param balanceUnits liquid balance with demurrage applied as of {@code asOfMillis}
   * @param nonce the nonce the account's next operation must carry
   * @param nextReleaseHeight the height the oldest unbonding entry is released at, -1 if none
   * @param height the committed height the answer reads
   */
  record CaesarAccount(String chainId, String account, long balanceUnits, long asOfMillis,
      long nonce, long bondedUnits, long unbondingUnits, long nextReleaseHeight, long height)
      implements ChainResponse {
  }

  /** 10^8 minor units make one CAES. */
  long UNITS_PER_CAES = 100_000_000L;

  /**
   * The conservation law as of {@code asOfMillis}: balances + rewardPool + bonded + unbonding +
   * bridgedOut = genesis + bridgedIn ({@code holds}).
   */
  record CaesarSupply(String chainId, long height, long asOfMillis, long genesisUnits,
      long balancesUnits, long rewardPoolUnits, long bondedUnits, long unbondingUnits,
      long bridgedOutUnits, long bridgedInUnits, boolean holds) implements ChainResponse {
  }

  /**
   * One operation on an account.
   *
   * @param kind the envelope kind (TOKEN_TRANSFER, STAKE_BOND, ...)
   * @param owner the account that authorized it
   * @param counterparty the recipient of a transfer, lock or burn ("" otherwise)
   * @param failure "" if the ledger applied it, else why not (it is committed all the same)
   */
  record CaesarEntry(long height, String transactionId, String kind, String owner,
      String counterparty, long amountUnits, String memo, String failure) implements KryoMessage {
  }

  /** @param entries oldest first; this node keeps the last few per account */
  record CaesarHistory(String account, List<CaesarEntry> entries) implements ChainResponse {
  }

  /**
   * A relayable proof of a committed lock or burn on {@code sourceChain}.
   *
   * @param direction LOCK or BURN
   * @param redeem the unsigned BRIDGE_REDEEM payload (a CaesarCodec encoding) the destination
   *     chain verifies: submit it there with `caesar bridge redeem`
   * @param attestations how many validators of the source chain attest in it that its ledger
   *     applied the transfer; the destination needs more than a third of them
   */
  record BridgeProof(String sourceChain, String transactionId, long height, String direction,
      String destinationChain, String recipient, long amountUnits, byte[] redeem,
      int attestations) implements ChainResponse {
  }

  /**
   * The proof of the validator-set change that started {@code epoch} on {@code sourceChain}.
   *
   * @param changeHeight the height of the block holding the change
   * @param baseHeight the height of the epoch's base block (the certified top of the change's
   *     commit); the new set certifies the blocks above it
   * @param validators the size of the new set
   * @param payload the unsigned BRIDGE_FOLLOW payload (a CaesarCodec encoding) the other chain
   *     verifies: submit it there with `caesar bridge follow`
   */
  record EpochProof(String sourceChain, long epoch, String changeTransaction, long changeHeight,
      long baseHeight, int validators, byte[] payload) implements ChainResponse {
  }

  /**
   * One bridge: the light client of {@code remoteChain} this chain keeps.
   *
   * @param epoch validator-set changes of the remote chain followed so far
   * @param frozen "" or why the bridge refuses everything (misbehaviour evidence)
   * @param lockedUnits native CAES locked here for the remote chain (bridged-out)
   * @param mintedUnits wrapped CAES minted here for the remote chain's locks, not yet burned
   * @param epochFromHeight the remote height from which the set of {@code epoch} is in force
   */
  record BridgeInfo(String remoteChain, long trustedFromHeight, int epoch, int validators,
      String frozen, long lockedUnits, long mintedUnits, int redeemed, long epochFromHeight)
      implements KryoMessage {
  }

  /** @param admin the account that may register bridges here ("" if none) */
  record BridgeStatus(String chainId, long height, String admin, List<BridgeInfo> bridges)
      implements ChainResponse {
  }

  enum Reason { NOT_FOUND, BAD_REQUEST, NOT_AUTHORIZED, UNAVAILABLE, TIMEOUT }

  record Rejected(Reason reason, String message) implements ChainResponse {
  }

  /** A validator of an epoch: its genesis name and FALCON-1024 public key (X.509 encoding, hex). */
  record EpochMember(String name, String publicKeyHex) implements KryoMessage {
  }

  /**
   * The epoch in force on this node's committed chain: {@code members} in index order, the
   * genesis validators (who may be members of a later set) and the id each signature of this
   * epoch binds, which a validator-set change is signed over.
   */
  record Epoch(String chainId, long epoch, String signingChainId, long fromHeight, int quorum,
      List<EpochMember> members, List<EpochMember> genesisValidators) implements ChainResponse {
  }
}
