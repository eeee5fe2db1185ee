package online.hypermesh.protocol.consensus.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.caesar.AccountView;
import online.hypermesh.protocol.caesar.BridgeEscrow;
import online.hypermesh.protocol.caesar.BridgeLightClient;
import online.hypermesh.protocol.caesar.EnvelopeReader;
import online.hypermesh.protocol.caesar.BlockTime;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.Checked;
import online.hypermesh.protocol.caesar.Ledger;
import online.hypermesh.protocol.caesar.Outcome;
import online.hypermesh.protocol.caesar.Rejection;
import online.hypermesh.protocol.caesar.Supply;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTiming;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.SignatureVerifier;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.VerifiedChainCache;

/**
 * The CAES ledger as part of the committed state ({@link ChainState} owns one when the genesis
 * has a {@link CaesarGenesis}). Per committed block, in this order:
 *
 * <ol>
 *   <li>{@link Ledger#beginBlock} at the block's {@link BlockTime}: its height and the timestamp
 *       the block carries (strictly increasing by the tick rule), never a node's clock; matured
 *       unbondings return to their owners.
 *   <li>Each Caesar transaction (kinds {@link CaesarCodec#isCaesar}) in block order: the payload
 *       must decode with an operation matching the envelope's kind, the owner authorization must
 *       verify ({@link online.hypermesh.protocol.caesar.OwnerAuthorization#owner}, the
 *       deterministic part), and the ledger must accept the operation on the owner's account. A
 *       transaction that fails any of these stays committed (it is in the chain and its id is
 *       spent) but changes no balance; its reason ({@code REJECTION: detail}) is recorded by id,
 *       the same on every node. Bridges: a BRIDGE_REGISTER signed by the genesis's bridge admin
 *       adds a light client of the remote chain's validator set (once per remote chain); a lock
 *       or burn needs a registered, unfrozen bridge to its chain (else NO_BRIDGE /
 *       BRIDGE_FROZEN); a redemption (no owner: any relayer) goes to the {@link BridgeEscrow} of
 *       its source chain, which checks the certified headers, the inclusion path, the source
 *       validators' execution attestations and replay; a follow (no owner either) goes to that
 *       escrow's light client ({@link BridgeLightClient#followValidatorSet}), which starts the
 *       remote chain's next epoch if the proven change is committed, authorized by a quorum of
 *       the remote set in force and not followed yet (STALE_VALIDATOR_SET otherwise). If the owner's signature held and the
 *       nonce was the account's next, the nonce is spent all the same ({@link
 *       Ledger#spendNonce}): the authorization is public once committed and must not apply later,
 *       when it might succeed.
 *   <li>Each committed JOB_RESULT pays its sender (the compute provider, whose result PoWork
 *       re-executed) min(job-reward, pool), once per job id.
 *   <li>The block reward: {@link Ledger#rewardValidators} over the block's proposer followed by
 *       the signers of the quorum certificate the block carries (its parent's, in index order),
 *       one equal share per listing, so the proposer who also signed gets two; the division's
 *       remainder stays in the pool. The list is fixed by the block's id, so every node pays the
 *       same accounts; the commit certificate is not used because different nodes may hold
 *       different 2f+1 subsets of it. The first block carries the genesis certificate, which has
 *       no signers: only its proposer is paid.
 *   <li>The conservation law ({@link Supply#holds}); a violation is a bug in the money code and
 *       throws {@link IllegalStateException} rather than let a node carry a wrong ledger.
 * </ol>
 *
 * <p>{@link #precheck} is what a validator refuses before ordering: what will certainly fail
 * whatever is committed before it (a payload that does not decode, an authorization that does
 * not verify in full, including the owner's certificate chain, validity and revocation, a nonce
 * already used, a redemption or a follow without a bridge or that the bridge refuses), so the
 * client is told why instead of getting a committed-but-failed transaction. Balances are not
 * prechecked: an incoming transfer committed first may cover the amount.
 */
public final class CaesarState {

  private final Digest chainId;
  private final Ledger ledger;
  private final TreeMap<Digest, String> failures = new TreeMap<>();
  /** Null when the genesis names no bridge admin: no bridge can be registered. */
  private final Digest bridgeAdmin;
  private final SignatureVerifier verifier;
  private final BlockTiming timing;
  /** Job ids (SHA-256 of the id) whose provider was rewarded: each job is paid once. */
  private final java.util.TreeSet<Digest> rewardedJobs = new java.util.TreeSet<>();
  /** The bridges registered by committed BRIDGE_REGISTER transactions, by remote chain id. */
  private final TreeMap<Digest, BridgeEscrow> bridges = new TreeMap<>();

  CaesarState(Genesis genesis, SignatureVerifier verifier) {
    this.chainId = genesis.chainId();
    CaesarGenesis g = genesis.caesar();
    this.ledger = new Ledger(g.parameters(), g.ledgerGenesis(genesis.genesisTimeMillis()));
    this.bridgeAdmin = g.bridgeAdmin().isEmpty() ? null
        : Digest.of(java.util.HexFormat.of().parseHex(g.bridgeAdmin()));
    this.verifier = verifier;
    this.timing = genesis.validatorSet().timing();
    check();
  }

  /** The ledger's view of bonded stake, which PoStake reads. */
  long bondedStake(byte[] account) {
    return ledger.bondedStake(account);
  }

  static BlockTime timeOf(Block block) {
    return new BlockTime(block.height(), block.time().timestampMillis());
  }

  void beginBlock(Block block) {
    Outcome begun = ledger.beginBlock(timeOf(block));
    if (!begun.applied()) {
      throw new IllegalStateException("CAES ledger refused block " + block.height() + ": "
          + begun);
    }
  }

  /** Applies one committed transaction; returns "" if applied or not Caesar, else the reason. */
  String apply(Transaction tx, Digest id, Block block) {
    if (tx.kind() == TransactionKind.JOB_RESULT && tx.job() != null) {
      rewardJob(tx, id, block);
      return "";
    }
    if (!CaesarCodec.isCaesar(tx.kind())) {
      return "";
    }
    Decoded d = decode(tx);
    Outcome outcome;
    Digest owner = null;
    if (d.refusal != null) {
      outcome = d.refusal;
    } else if (d.valid.transaction() instanceof CaesarTransaction.Follow f) {
      BridgeEscrow escrow = bridges.get(f.sourceChain());
      outcome = escrow == null ? noBridge(f.sourceChain()) : escrow.followValidatorSet(f.proof());
    } else if (d.valid.transaction() instanceof CaesarTransaction.Redeem r) {
      outcome = redeem(r, timeOf(block));
      String reason = outcome instanceof Outcome.Rejected rejected ? rejected.toString() : "";
      if (!reason.isEmpty()) {
        failures.put(id, reason);
      }
      add(r.recipient(), new HistoryEntry(block.height(), id, tx.kind(), r.recipient(), null,
          r.amount(), "from chain " + r.sourceChain().hex(), reason));
      return reason;
    } else {
      Checked<Digest> checked = d.valid.authorization().owner(chainId, d.valid.transaction());
      if (checked.ok()) {
        owner = checked.value();
        CaesarTransaction op = d.valid.transaction();
        Outcome.Rejected bridge = bridgeRefusal(op);
        if (op instanceof CaesarTransaction.Register reg) {
          outcome = register(owner, reg, timeOf(block));
        } else {
          outcome = bridge != null ? bridge : ledger.apply(owner, op, timeOf(block));
        }
        if (outcome instanceof Outcome.Rejected r && r.reason() != Rejection.BAD_NONCE) {
          // Committed and signed by the owner: its nonce is spent even though nothing moved.
          ledger.spendNonce(owner, nonceOf(op), timeOf(block));
        }
      } else {
        outcome = checked.refusal();
      }
    }
    String reason = outcome instanceof Outcome.Rejected rejected ? rejected.toString() : "";
    if (!reason.isEmpty()) {
      failures.put(id, reason);
    }
    if (owner != null) {
      remember(owner, d.valid.transaction(), tx, id, block.height(), reason);
    }
    return reason;
  }

  /**
   * The job reward hook: a committed JOB_RESULT (PoWork re-executed the job before it was ordered)
   * pays its sender, the compute provider, {@link Ledger#rewardProvider} from the pool, once per
   * job id (a second result for the same job, from anyone, is paid nothing). The job result
   * itself is not a Caesar operation and never fails here.
   */
  private void rewardJob(Transaction tx, Digest id, Block block) {
    Digest job = Digest.sha256(tx.job().jobId());
    if (rewardedJobs.contains(job)) {
      return;
    }
    Optional<byte[]> provider = Accounts.ofCertificate(tx.senderChain().get(0));
    if (provider.isEmpty()) {
      return;
    }
    rewardedJobs.add(job);
    Digest account = Digest.of(provider.get());
    Outcome paid = ledger.rewardProvider(account, timeOf(block));
    long amount = paid instanceof Outcome.Applied applied ? applied.amount() : 0;
    add(account, new HistoryEntry(block.height(), id, tx.kind(), account, null, amount,
        "job reward", ""));
  }

  /**
   * Registers a bridge: only the genesis's bridge admin may, once per remote chain, never to this
   * chain itself, with FALCON-1024 keys; the admin's nonce is spent when it applies.
   */
  private Outcome register(Digest owner, CaesarTransaction.Register reg, BlockTime at) {
    Optional<Outcome.Rejected> refused = registerRefusal(owner, reg);
    if (refused.isPresent()) {
      return refused.get();
    }
    Outcome spent = ledger.spendNonce(owner, reg.nonce(), at);
    if (!spent.applied()) {
      return spent;
    }
    ValidatorSet set = new ValidatorSet(reg.remoteChain(), reg.validatorKeys(), timing);
    bridges.put(reg.remoteChain(), new BridgeEscrow(chainId,
        new BridgeLightClient(set, reg.trustedFromHeight(), verifier, new EnvelopeReader()),
        ledger));
    return new Outcome.Applied(0);
  }

  private Optional<Outcome.Rejected> registerRefusal(Digest owner,
      CaesarTransaction.Register reg) {
    if (bridgeAdmin == null) {
      return Optional.of(new Outcome.Rejected(Rejection.NOT_BRIDGE_ADMIN, "chain " + chainId
          + " has no bridge admin (caesar.bridge-admin in its genesis): it registers no bridges"));
    }
    if (!owner.equals(bridgeAdmin)) {
      return Optional.of(new Outcome.Rejected(Rejection.NOT_BRIDGE_ADMIN, "account " + owner
          + " is not the bridge admin " + bridgeAdmin + " of chain " + chainId));
    }
    if (reg.remoteChain().equals(chainId)) {
      return Optional.of(new Outcome.Rejected(Rejection.WRONG_CHAIN,
          "chain " + chainId + " cannot bridge to itself"));
    }
    if (bridges.containsKey(reg.remoteChain())) {
      return Optional.of(new Outcome.Rejected(Rejection.BRIDGE_EXISTS,
          "a bridge to chain " + reg.remoteChain() + " is registered already"));
    }
    if (reg.trustedFromHeight() < 0) {
      return Optional.of(new Outcome.Rejected(Rejection.MALFORMED,
          "trusted-from height " + reg.trustedFromHeight() + " is negative"));
    }
    for (int i = 0; i < reg.validatorKeys().size(); i++) {
      if (!FalconVerifier.isFalcon1024Key(reg.validatorKeys().get(i))) {
        return Optional.of(new Outcome.Rejected(Rejection.MALFORMED, "validator key " + i
            + " of chain " + reg.remoteChain() + " is not a FALCON-1024 public key"));
      }
    }
    return Optional.empty();
  }

  /** Why a lock or burn cannot go to its chain now (no bridge, or a frozen one); null if it can. */
  private Outcome.Rejected bridgeRefusal(CaesarTransaction op) {
    Digest remote = op instanceof CaesarTransaction.Lock l ? l.remoteChain()
        : op instanceof CaesarTransaction.Burn b ? b.remoteChain() : null;
    if (remote == null) {
      return null;
    }
    BridgeEscrow escrow = bridges.get(remote);
    if (escrow == null) {
      return noBridge(remote);
    }
    if (escrow.lightClient().frozen()) {
      return new Outcome.Rejected(Rejection.BRIDGE_FROZEN, "the bridge to chain " + remote
          + " is frozen (misbehaviour at height "
          + escrow.lightClient().misbehaviour().map(m -> m.height()).orElse(-1L)
          + "): nothing more is sent to it");
    }
    return null;
  }

  private Outcome redeem(CaesarTransaction.Redeem claim, BlockTime at) {
    BridgeEscrow escrow = bridges.get(claim.sourceChain());
    return escrow == null ? noBridge(claim.sourceChain()) : escrow.redeem(claim, at);
  }

  private Outcome.Rejected noBridge(Digest remote) {
    return new Outcome.Rejected(Rejection.NO_BRIDGE,
        "no bridge to chain " + remote + " is registered on chain " + chainId);
  }

  /**
   * One line of an account's history: a read model for `caesar history`, not part of the
   * committed state (not in the digest), the last {@link #HISTORY} per account.
   *
   * @param counterparty the recipient of a transfer, lock or burn, else null
   * @param failure "" when applied
   */
  public record HistoryEntry(long height, Digest transactionId, TransactionKind kind,
      Digest owner, Digest counterparty, long amount, String memo, String failure) {}

  static final int HISTORY = 100;
  private final Map<Digest, ArrayDeque<HistoryEntry>> history = new HashMap<>();

  private void remember(Digest owner, CaesarTransaction op, Transaction tx, Digest id,
      long height, String failure) {
    Digest counterparty = null;
    long amount = 0;
    String memo = "";
    if (op instanceof CaesarTransaction.Transfer t) {
      counterparty = t.to();
      amount = t.amount();
      memo = t.memo();
    } else if (op instanceof CaesarTransaction.Bond b) {
      amount = b.amount();
    } else if (op instanceof CaesarTransaction.Unbond u) {
      amount = u.amount();
    } else if (op instanceof CaesarTransaction.Lock l) {
      counterparty = l.recipient();
      amount = l.amount();
    } else if (op instanceof CaesarTransaction.Burn b) {
      counterparty = b.recipient();
      amount = b.amount();
    }
    HistoryEntry e = new HistoryEntry(height, id, tx.kind(), owner, counterparty, amount, memo,
        failure);
    add(owner, e);
    if (op instanceof CaesarTransaction.Transfer && counterparty != null
        && !counterparty.equals(owner)) {
      add(counterparty, e);
    }
  }

  private void add(Digest account, HistoryEntry e) {
    ArrayDeque<HistoryEntry> list = history.computeIfAbsent(account, k -> new ArrayDeque<>());
    list.addLast(e);
    while (list.size() > HISTORY) {
      list.pollFirst();
    }
  }

  /** The last operations on {@code account} (as owner or recipient), oldest first. */
  public List<HistoryEntry> history(Digest account) {
    ArrayDeque<HistoryEntry> list = history.get(account);
    return list == null ? List.of() : List.copyOf(list);
  }

  private record Decoded(CaesarCodec.Valid valid, Outcome.Rejected refusal) {}

  private static Decoded decode(Transaction tx) {
    CaesarCodec.Decoded decoded = CaesarCodec.decode(tx.payload());
    if (decoded instanceof CaesarCodec.Malformed m) {
      return new Decoded(null, new Outcome.Rejected(Rejection.MALFORMED,
          "the " + tx.kind() + " payload does not decode: " + m.reason()));
    }
    CaesarCodec.Valid valid = (CaesarCodec.Valid) decoded;
    if (CaesarCodec.kindOf(valid.transaction()) != tx.kind()) {
      return new Decoded(null, new Outcome.Rejected(Rejection.MALFORMED, "a "
          + CaesarCodec.kindOf(valid.transaction()) + " operation under envelope kind "
          + tx.kind()));
    }
    return new Decoded(valid, null);
  }

  /**
   * Pays the block reward (see the class comment) and checks conservation. Proposer and signer
   * indices are indices in {@code set}, the block's epoch's set: after a validator-set change the
   * same index names another validator.
   */
  void endBlock(Block block, ValidatorSet set) {
    List<Digest> paid = new ArrayList<>();
    if (set.contains(block.proposer())) {
      paid.add(Digest.sha256(set.publicKey(block.proposer())));
    }
    for (int signer : block.qc().signatures().keySet()) {
      if (set.contains(signer)) {
        paid.add(Digest.sha256(set.publicKey(signer)));
      }
    }
    Outcome reward = ledger.rewardValidators(paid, timeOf(block));
    if (!reward.applied()) {
      throw new IllegalStateException("CAES block reward refused at block " + block.height()
          + ": " + reward);
    }
    check();
  }

  private void check() {
    Supply supply = ledger.conservation();
    if (!supply.holds()) {
      throw new IllegalStateException("CAES conservation law broken at " + ledger.clock() + ": "
          + supply);
    }
  }

  /**
   * Why {@code tx} will certainly fail, or empty. Reads the committed state and, for the owner's
   * certificate, the clock and revocations of {@code certificates}.
   */
  Optional<String> precheck(Transaction tx, CertificateVerifier certificates,
      VerifiedChainCache cache) {
    if (!CaesarCodec.isCaesar(tx.kind())) {
      return Optional.empty();
    }
    Decoded d = decode(tx);
    if (d.refusal != null) {
      return Optional.of(d.refusal.toString());
    }
    CaesarTransaction op = d.valid.transaction();
    if (op instanceof CaesarTransaction.Follow f) {
      BridgeEscrow escrow = bridges.get(f.sourceChain());
      if (escrow == null) {
        return Optional.of(noBridge(f.sourceChain()).toString());
      }
      // As for a redemption, a conflicting certificate is evidence to order, not to refuse.
      return escrow.lightClient().checkValidatorSet(f.proof())
          .filter(x -> x.reason() != Rejection.CONFLICTING_BLOCKS)
          .map(Outcome.Rejected::toString);
    }
    if (op instanceof CaesarTransaction.Redeem r) {
      BridgeEscrow escrow = bridges.get(r.sourceChain());
      if (escrow == null) {
        return Optional.of(noBridge(r.sourceChain()).toString());
      }
      Optional<Outcome.Rejected> refused = escrow.check(r);
      // Conflicting certificates are evidence: ordered, the claim freezes the bridge on every
      // node (check() reports it without freezing, so refusing here would lose the evidence).
      return refused.filter(x -> x.reason() != Rejection.CONFLICTING_BLOCKS)
          .map(Outcome.Rejected::toString);
    }
    Checked<Digest> owner = d.valid.authorization().verify(chainId, op, certificates, cache);
    if (!owner.ok()) {
      return Optional.of(owner.refusal().toString());
    }
    if (op instanceof CaesarTransaction.Register reg) {
      Optional<Outcome.Rejected> refused = registerRefusal(owner.value(), reg);
      if (refused.isPresent()) {
        return Optional.of(refused.get().toString());
      }
    }
    Outcome.Rejected bridge = bridgeRefusal(op);
    if (bridge != null) {
      return Optional.of(bridge.toString());
    }
    long nonce = nonceOf(op);
    long expected = ledger.account(owner.value(), ledger.clock().millis())
        .map(AccountView::nonce).orElse(0L);
    if (nonce < expected) {
      return Optional.of(Rejection.BAD_NONCE + ": account " + owner.value().hex()
          + " has used nonce " + nonce + "; its next is " + expected);
    }
    return Optional.empty();
  }

  private static long nonceOf(CaesarTransaction op) {
    if (op instanceof CaesarTransaction.Transfer t) {
      return t.nonce();
    } else if (op instanceof CaesarTransaction.Bond b) {
      return b.nonce();
    } else if (op instanceof CaesarTransaction.Unbond u) {
      return u.nonce();
    } else if (op instanceof CaesarTransaction.Lock l) {
      return l.nonce();
    } else if (op instanceof CaesarTransaction.Burn b) {
      return b.nonce();
    } else if (op instanceof CaesarTransaction.Register r) {
      return r.nonce();
    }
    return Long.MAX_VALUE;
  }

  public CaesarParameters parameters() {
    return ledger.parameters();
  }

  /** The last committed block's height and time, as the ledger applied it. */
  public BlockTime clock() {
    return ledger.clock();
  }

  /** An account with demurrage applied as of {@code millis} (not before its last change). */
  public Optional<AccountView> account(Digest id, long millis) {
    return ledger.account(id, millis);
  }

  /** The conservation breakdown with demurrage applied as of {@code millis}. */
  public Supply supply(long millis) {
    return ledger.conservation(Math.max(millis, ledger.clock().millis()));
  }

  public long rewardPool() {
    return ledger.rewardPool();
  }

  /** The account that may register bridges, if the genesis names one. */
  public Optional<Digest> bridgeAdmin() {
    return Optional.ofNullable(bridgeAdmin);
  }

  /**
   * One registered bridge, as `caesar bridge status` shows it.
   *
   * @param frozen "" or why the bridge refuses everything
   * @param epochFromHeight the remote height from which the set of {@code epoch} is in force
   */
  public record BridgeView(Digest remoteChain, long trustedFromHeight, int epoch, int validators,
      String frozen, long locked, long minted, int redeemed, long epochFromHeight) {}

  public List<BridgeView> bridges() {
    List<BridgeView> out = new ArrayList<>();
    bridges.forEach((remote, escrow) -> {
      BridgeLightClient lc = escrow.lightClient();
      out.add(new BridgeView(remote, lc.trustedFromHeight(), lc.epoch(),
          lc.validatorSet().size(), lc.misbehaviour().map(m -> "two blocks certified at height "
              + m.height() + ": " + m.first().blockId() + " and " + m.second().blockId())
              .orElse(""), ledger.bridgedOut(remote), ledger.bridgedIn(remote),
          escrow.redeemedCount(), lc.currentFromHeight()));
    });
    return out;
  }

  /** The bridge to {@code remoteChain}, if registered. */
  public Optional<BridgeEscrow> bridge(Digest remoteChain) {
    return Optional.ofNullable(bridges.get(remoteChain));
  }

  /** The reason a committed Caesar transaction changed nothing, if it failed. */
  public Optional<String> failure(Digest transactionId) {
    return Optional.ofNullable(failures.get(transactionId));
  }

  /** Committed-but-failed transactions by id. */
  public Map<Digest, String> failures() {
    return Collections.unmodifiableMap(failures);
  }

  /** The ledger's digest and the failure record's, for {@link ChainState#stateDigest}. */
  Digest stateDigest() {
    List<byte[]> parts = new ArrayList<>();
    parts.add(ledger.stateDigest().bytes());
    for (Map.Entry<Digest, String> e : failures.entrySet()) {
      byte[] reason = e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      parts.add(e.getKey().bytes());
      parts.add(java.nio.ByteBuffer.allocate(4).putInt(reason.length).array());
      parts.add(reason);
    }
    for (Digest job : rewardedJobs) {
      parts.add(job.bytes());
    }
    for (Map.Entry<Digest, BridgeEscrow> e : bridges.entrySet()) {
      parts.add(e.getKey().bytes());
      parts.add(e.getValue().stateDigest().bytes());
    }
    return Digest.sha256(parts.toArray(new byte[0][]));
  }
}
