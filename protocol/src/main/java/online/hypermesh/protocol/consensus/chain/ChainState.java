package online.hypermesh.protocol.consensus.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.SignatureVerifier;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.CommittedState;
import online.hypermesh.protocol.consensus.proof.PlotCommitment;
import online.hypermesh.protocol.consensus.proof.TickLedger;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionDigest;

/**
 * The committed state: a deterministic function of the {@link Genesis} and the committed blocks
 * applied in height order. Any node rebuilds it by applying its journal's blocks from genesis and
 * gets the same value ({@link #stateDigest()}). Not thread-safe: one owner (the validator or
 * node actor) applies and reads.
 *
 * <p>Nothing is trusted from the caller: {@link #apply} checks the commit certificate's 2f+1
 * FALCON signatures against the validator set in force (the genesis set in epoch 0) and that the
 * block extends the state's tip by height and hash. A certificate may commit a descendant of the block (BFT commits a
 * batch with the certificate of its highest block): such a block is held until the certified
 * block arrives and links the held ones to it through the parent ids, then all are applied in
 * order. Until then {@link #height()} does not move and apply returns nothing.
 *
 * <p>Each block's tick and timestamp ({@link BlockTime}, checked by the voters against {@link
 * online.hypermesh.protocol.consensus.bft.BlockTiming}) are re-checked against the parent's
 * (deterministic part only) and recorded as a {@link BlockTick} for PoTime.
 *
 * <p>Transactions are applied in block order. One that does not decode, whose id is not its
 * digest, or that was already committed is skipped (it cannot reach a block past f+1 honest
 * validators; skipping keeps application exactly-once even if it did). Kinds are opaque here:
 * the payloads are returned to the caller as {@link AppliedTransaction}s for the layer that owns
 * them, except Caesar payloads when the genesis has a {@link CaesarGenesis}: those the chain's
 * CAES ledger applies at the block's committed time, with block rewards and a conservation check
 * per block ({@link CaesarState}; a refused operation is committed-but-failed, its reason in
 * {@link AppliedTransaction#failure}). Bonded stake, which PoStake reads, is then the ledger's;
 * only a genesis without a Caesar section uses its static {@link Genesis#stakes}. Plots and
 * regions stay as in genesis: a plot-registration transaction kind does not exist yet.
 *
 * <p>Epochs: a committed block holding a valid validator-set change ({@link EpochChanges}) ends
 * the epoch at the certified top of its commit (the change block, or the empty blocks the
 * validators certified above it, see {@link online.hypermesh.protocol.consensus.bft.BftCore}); the
 * next set ({@link ValidatorSet#next}) certifies every later block, and a certificate of the old
 * set for a block above that is refused as a stale epoch. The epochs are derived from the blocks,
 * so a replay from genesis switches at the same heights.
 *
 * <p>Memory: the replay set keeps the ids whose referenced tick is still inside the freshness
 * window (older ones are refused as stale before the set matters); the tick ledger keeps the
 * blocks of twice that window (so a stale reference is reported as stale, not unknown). The
 * transaction index ({@link #heightOf}) keeps every committed id: it is the chain's index.
 */
public final class ChainState {

  private final Genesis genesis;
  /** The set in force: the genesis set until the first committed change. */
  private ValidatorSet set;
  /** Every epoch's set in order (the genesis set first); the last is {@link #set}. */
  private final List<ValidatorSet> epochs = new ArrayList<>();
  /** Per epoch from 1 on, the id of the committed transaction that started it. */
  private final List<Digest> changes = new ArrayList<>();
  private final SignatureVerifier verifier;
  private final Map<String, Long> stakes;
  /** Null when the genesis has no Caesar section. */
  private final CaesarState caesar;
  private final Map<String, PlotCommitment> plots;
  private final Map<String, String> regions;

  private long height;
  private Digest tipId;
  private BlockTime tipTime;
  private BlockTick head;
  private final TreeMap<Long, BlockTick> ticksByHeight = new TreeMap<>();
  private final TreeMap<Long, BlockTick> ticksByCount = new TreeMap<>();
  private final LinkedHashMap<Digest, Long> transactionHeights = new LinkedHashMap<>();
  private final Map<Digest, Long> replay = new HashMap<>();
  private final TreeMap<Long, List<Digest>> replayByTick = new TreeMap<>();
  private final ArrayDeque<Block> held = new ArrayDeque<>();
  /** Certificates whose signatures already verified (a batch shares one): bounded, oldest out. */
  private final LinkedHashMap<Digest, Boolean> verifiedCertificates =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, Boolean> eldest) {
          return size() > 64;
        }
      };
  private long skipped;

  private ChainState(Genesis genesis, SignatureVerifier verifier) {
    this.genesis = genesis;
    this.set = genesis.validatorSet();
    this.epochs.add(set);
    this.verifier = verifier;
    this.stakes = new HashMap<>(genesis.stakes());
    this.caesar = genesis.caesar() == null ? null : new CaesarState(genesis, verifier);
    this.plots = new HashMap<>(genesis.plots());
    this.regions = new HashMap<>(genesis.regions());
    this.height = 0;
    this.tipId = set.genesisId();
    this.tipTime = set.timing().genesis();
    this.head = genesis.genesisTick();
    record(head);
  }

  /** The state at height 0, verifying certificates with FALCON-1024. */
  public static ChainState genesis(Genesis genesis) {
    return genesis(genesis, new FalconVerifier());
  }

  /** The state at height 0, verifying certificates with {@code verifier}. */
  public static ChainState genesis(Genesis genesis, SignatureVerifier verifier) {
    return new ChainState(Objects.requireNonNull(genesis, "genesis"),
        Objects.requireNonNull(verifier, "verifier"));
  }

  public Genesis genesisConfig() {
    return genesis;
  }

  /** The validator set in force: the genesis set until the first committed change. */
  public ValidatorSet validatorSet() {
    return set;
  }

  /** The current epoch: 0 until the first committed validator-set change. */
  public long epoch() {
    return set.epoch();
  }

  /**
   * The set in force at {@code height}: the last epoch whose base block is below it (the genesis
   * set for heights up to the first base; the current set above the tip).
   */
  public ValidatorSet validatorSetAt(long height) {
    for (int e = epochs.size() - 1; e > 0; e--) {
      if (height > epochs.get(e).genesisHeight()) {
        return epochs.get(e);
      }
    }
    return epochs.get(0);
  }

  /** The id of the committed VALIDATOR_SET_CHANGE that started {@code epoch} (1 or more). */
  public Optional<Digest> changeOf(long epoch) {
    return epoch < 1 || epoch > changes.size() ? Optional.empty()
        : Optional.of(changes.get((int) (epoch - 1)));
  }

  /** The set of epoch {@code epoch}, if the chain has reached it. */
  public Optional<ValidatorSet> validatorSetOf(long epoch) {
    return epoch < 0 || epoch >= epochs.size() ? Optional.empty()
        : Optional.of(epochs.get((int) epoch));
  }

  /** The highest applied block's time as the BFT core records it (the tip to restore from). */
  public BlockTime tipTime() {
    return tipTime;
  }

  /** Height of the highest applied block (0 = genesis). */
  public long height() {
    return height;
  }

  /** Id of the highest applied block (the validator set's genesis id at height 0). */
  public Digest tipId() {
    return tipId;
  }

  /** The highest applied block's tick (the genesis tick at height 0). */
  public BlockTick head() {
    return head;
  }

  /** Blocks received with a certificate for a descendant, waiting for that descendant. */
  public int heldBlocks() {
    return held.size();
  }

  /** Transactions skipped while applying (undecodable, wrong id, already committed). */
  public long skippedTransactions() {
    return skipped;
  }

  /**
   * Applies a committed block. Checks, before changing anything: {@code block} is at height
   * {@link #height()} + 1 (plus any held blocks) and its parent is the tip (or the last held
   * block); {@code certificate} verifies against the validator set in force and commits this
   * block or a higher one. Returns the transactions applied by this call, in chain order: this
   * block's, or, when it completes a held batch, the whole batch's; empty while held.
   *
   * @throws CommitRejectedException if a check fails; the state is then unchanged
   */
  public List<AppliedTransaction> apply(Block block, CommitCertificate certificate) {
    if (block == null || certificate == null) {
      throw new CommitRejectedException("a block and its commit certificate are required");
    }
    long expectedHeight = height + held.size() + 1;
    Digest expectedParent = held.isEmpty() ? tipId : held.peekLast().id();
    if (block.height() != expectedHeight) {
      throw new CommitRejectedException("block " + block.id() + " is at height "
          + block.height() + ", the next committed height is " + expectedHeight);
    }
    if (!block.parentId().equals(expectedParent)) {
      throw new CommitRejectedException("block " + block.id() + " at height " + block.height()
          + " has parent " + block.parentId() + ", the chain's block at height "
          + (expectedHeight - 1) + " is " + expectedParent);
    }
    // Committed blocks were checked by 2f+1 voters; this only stops at a chain that more than
    // f of them signed against the rule, rather than record it.
    Verdict time = set.timing().follows(
        held.isEmpty() ? tipTime : held.peekLast().time(), block.time());
    if (time.rejected()) {
      throw new CommitRejectedException("block " + block.id() + " at height " + block.height()
          + " breaks the tick rule: " + time.reason());
    }
    verify(certificate);
    if (certificate.height() < block.height()) {
      throw new CommitRejectedException("the certificate commits height "
          + certificate.height() + ", below block " + block.id() + " at " + block.height());
    }
    if (certificate.height() == block.height() && !certificate.certifies(block)) {
      throw new CommitRejectedException("the certificate commits " + certificate.blockId()
          + " at height " + certificate.height() + ", not block " + block.id());
    }
    if (certificate.height() > block.height()) {
      held.addLast(block);
      return List.of();
    }
    List<Block> batch = new ArrayList<>(held);
    batch.add(block);
    EpochChange change = null;
    Digest changeId = null;
    Block changeBlock = null;
    for (Block b : batch) {
      if (change != null && b.round() == batch.get(batch.indexOf(b) - 1).round() + 1) {
        throw new CommitRejectedException("block " + b.id() + " at height " + b.height()
            + " follows its parent in the next round, so the certificate on it committed the"
            + " validator-set change at height " + changeBlock.height() + " and ended the epoch"
            + " there: no block above may be committed in that epoch");
      }
      if (change != null && !b.transactions().isEmpty()) {
        throw new CommitRejectedException("block " + b.id() + " at height " + b.height()
            + " carries transactions above the validator-set change at height "
            + changeBlock.height() + " in the same epoch: only empty blocks may follow it");
      }
      if (change == null) {
        Optional<online.hypermesh.protocol.consensus.bft.Transaction> found =
            EpochChanges.findTransaction(b, set, verifier);
        if (found.isPresent()) {
          // findTransaction decoded and verified it: decoding again cannot fail.
          change = EpochChange.decode(((TransactionCodec.Valid) TransactionCodec.decode(
              found.get().body())).transaction().payload()).orElseThrow();
          changeId = found.get().id();
          changeBlock = b;
        }
      }
    }
    List<AppliedTransaction> applied = new ArrayList<>();
    held.clear();
    for (Block b : batch) {
      applyBlock(b, applied);
    }
    if (change != null) {
      // The epoch ends at the certified top of the commit: the next set starts from it.
      set = set.next(change.keys(), block.id(), block.height(), block.time());
      epochs.add(set);
      changes.add(changeId);
      // Verified under the old set: none of them may pass unchecked under the new one.
      verifiedCertificates.clear();
    }
    return applied;
  }

  private void verify(CommitCertificate certificate) {
    Digest key = Digest.sha256(Codec.encode(certificate));
    if (verifiedCertificates.containsKey(key)) {
      return;
    }
    Verdict v = certificate.verify(set, verifier);
    if (v.rejected()) {
      if (epochs.size() > 1
          && certificate.qc().verify(epochs.get(epochs.size() - 2), verifier).accepted()) {
        throw new CommitRejectedException("stale epoch: the certificate for height "
            + certificate.height() + " is signed by the validator set of epoch "
            + (set.epoch() - 1) + ", which ended at height " + set.genesisHeight()
            + "; epoch " + set.epoch() + " certifies the blocks above it");
      }
      throw new CommitRejectedException(v.reason());
    }
    verifiedCertificates.put(key, Boolean.TRUE);
  }

  private void applyBlock(Block block, List<AppliedTransaction> applied) {
    BlockTick tick = tickOf(block);
    if (caesar != null) {
      caesar.beginBlock(block);
    }
    List<online.hypermesh.protocol.consensus.bft.Transaction> txs = block.transactions();
    for (int i = 0; i < txs.size(); i++) {
      online.hypermesh.protocol.consensus.bft.Transaction btx = txs.get(i);
      TransactionCodec.Decoded decoded = TransactionCodec.decode(btx.body());
      if (!(decoded instanceof TransactionCodec.Valid valid)) {
        skipped++;
        continue;
      }
      Transaction tx = valid.transaction();
      Digest id;
      try {
        id = Digest.of(TransactionDigest.of(tx));
      } catch (RuntimeException e) {
        skipped++;
        continue;
      }
      if (!id.equals(btx.id()) || transactionHeights.containsKey(id)) {
        skipped++;
        continue;
      }
      transactionHeights.put(id, block.height());
      long referenced = tx.time() != null ? tx.time().tickCount() : tick.tickCount();
      replay.put(id, referenced);
      replayByTick.computeIfAbsent(referenced, k -> new ArrayList<>()).add(id);
      String failure = caesar == null ? "" : caesar.apply(tx, id, block);
      applied.add(new AppliedTransaction(block.height(), i, block.id(), id, tx, failure));
    }
    if (caesar != null) {
      caesar.endBlock(block, validatorSetAt(block.height()));
    }
    height = block.height();
    tipId = block.id();
    tipTime = block.time();
    head = tick;
    record(tick);
    prune();
  }

  private static BlockTick tickOf(Block block) {
    BlockTime time = block.time();
    return new BlockTick(block.height(), time.tickCount(), time.tickHash().bytes(),
        block.id().bytes(), time.timestampMillis());
  }

  private void record(BlockTick tick) {
    ticksByHeight.put(tick.height(), tick);
    ticksByCount.put(tick.tickCount(), tick);
  }

  private void prune() {
    long window = genesis.parameters().freshnessTicks();
    long oldestFresh = head.tickCount() - window;
    Iterator<Map.Entry<Long, List<Digest>>> it = replayByTick.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, List<Digest>> e = it.next();
      if (e.getKey() >= oldestFresh) {
        break;
      }
      for (Digest id : e.getValue()) {
        replay.remove(id);
      }
      it.remove();
    }
    long oldestKept = head.tickCount() - 2 * window;
    while (ticksByCount.size() > 1 && ticksByCount.firstKey() < oldestKept) {
      BlockTick old = ticksByCount.pollFirstEntry().getValue();
      ticksByHeight.remove(old.height());
    }
  }

  /** The height that committed transaction {@code id}, if it is committed. */
  public Optional<Long> heightOf(Digest id) {
    return Optional.ofNullable(transactionHeights.get(id));
  }

  /** The tick recorded by the block at {@code height}, if still retained (see class doc). */
  public Optional<BlockTick> tickAt(long height) {
    return Optional.ofNullable(ticksByHeight.get(height));
  }

  /** Bonded stake of an account (lowercase hex of its id), 0 if none. */
  public long stakeOf(String accountHex) {
    if (caesar != null) {
      return Genesis.isAccountId(accountHex)
          ? caesar.bondedStake(HexFormat.of().parseHex(accountHex)) : 0;
    }
    return stakes.getOrDefault(accountHex, 0L);
  }

  /** The chain's CAES ledger, if its genesis has a Caesar section. */
  public Optional<CaesarState> caesar() {
    return Optional.ofNullable(caesar);
  }

  /**
   * The views the four proofs read ({@link
   * online.hypermesh.protocol.consensus.proof.NKryptVerifier}). They read this state live: a
   * verifier built once over the view sees every later apply.
   */
  public CommittedState view() {
    TickLedger ledger = new TickLedger() {
      @Override
      public Optional<BlockTick> head() {
        return Optional.of(head);
      }

      @Override
      public Optional<BlockTick> atTick(long tickCount) {
        return Optional.ofNullable(ticksByCount.get(tickCount));
      }
    };
    return new CommittedState(
        caesar != null ? caesar::bondedStake : account -> stakes.getOrDefault(hex(account), 0L),
        account -> Optional.ofNullable(plots.get(hex(account))),
        account -> Optional.ofNullable(regions.get(hex(account))),
        ledger,
        id -> id != null && id.length == Digest.LENGTH && replay.containsKey(Digest.of(id)));
  }

  /**
   * A digest of the whole state (tip, ticks, registries, replay set, transaction index, the CAES
   * ledger with its record of failed transactions), equal
   * on every node that applied the same chain. Costs a pass over the index: for tests and audits.
   */
  public Digest stateDigest() {
    java.security.MessageDigest sha;
    try {
      sha = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(height).append('|').append(tipId.hex()).append('|').append(held.size());
    flush(sha, sb);
    for (BlockTick t : ticksByHeight.values()) {
      sb.append("|t").append(t.height()).append(',').append(t.tickCount()).append(',')
          .append(HexFormat.of().formatHex(t.tickHash())).append(',').append(t.timestampMillis());
      flush(sha, sb);
    }
    new TreeMap<>(stakes).forEach((k, v) -> flush(sha, sb.append("|s").append(k).append(',')
        .append(v)));
    new TreeMap<>(plots).forEach((k, v) -> flush(sha, sb.append("|p").append(k).append(',')
        .append(HexFormat.of().formatHex(v.root())).append(',').append(v.leafCount())));
    new TreeMap<>(regions).forEach((k, v) -> flush(sha, sb.append("|r").append(k).append(',')
        .append(v)));
    new TreeMap<>(replay).forEach((k, v) -> flush(sha, sb.append("|x").append(k.hex())
        .append(',').append(v)));
    transactionHeights.forEach((k, v) -> flush(sha, sb.append("|i").append(k.hex()).append(',')
        .append(v)));
    if (caesar != null) {
      flush(sha, sb.append("|c").append(caesar.stateDigest().hex()));
    }
    // Epoch 0 adds nothing, so digests of chains without a change are as before.
    for (ValidatorSet e : epochs.subList(1, epochs.size())) {
      sb.append("|e").append(e.epoch()).append(',').append(e.genesisHeight()).append(',')
          .append(e.genesisId().hex()).append(',').append(e.signingChainId().hex());
      for (int i = 0; i < e.size(); i++) {
        sb.append(',').append(Digest.sha256(e.publicKey(i)).hex());
      }
      flush(sha, sb);
    }
    return Digest.of(sha.digest());
  }

  private static void flush(java.security.MessageDigest sha, StringBuilder sb) {
    sha.update(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sb.setLength(0);
  }

  /** Unmodifiable view of the transaction index in commit order, for rebuilding read models. */
  public Map<Digest, Long> transactionIndex() {
    return Collections.unmodifiableMap(transactionHeights);
  }

  private static String hex(byte[] account) {
    return account == null ? "" : HexFormat.of().formatHex(account);
  }
}
