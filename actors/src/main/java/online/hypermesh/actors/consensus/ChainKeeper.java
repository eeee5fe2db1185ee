package online.hypermesh.actors.consensus;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.MerkleTree;
import online.hypermesh.protocol.consensus.bft.Signer;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.chain.AppliedTransaction;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.CommitRejectedException;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.GenesisValidator;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.serialization.KryoMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * One node's copy of the committed chain: applies committed blocks to a {@link ChainState} in
 * height order, exactly once (a block at or below the applied height is ignored, so the same
 * commit told twice, or by a replayed journal, changes nothing), and answers head, block,
 * transaction and validator queries with {@link ChainResponse}s.
 *
 * <p>Journal: one event per applied block (the validator's Codec encodings, which the state
 * re-verifies) and one per reported rejection. Recovery replays them into a fresh state from
 * genesis; there is no snapshot because the state is rebuilt by applying, which re-checks every
 * certificate (replay time grows with the chain: see docs/ARCHITECTURE.md). The state object is
 * shared with the local validator's transaction validator, which reads it under the state's
 * monitor; every write here takes the same monitor.
 *
 * <p>Retention: the last {@code retainedBlocks} blocks answer {@code chain block H}; rejections
 * and pending ids are remembered up to {@code retainedRejections} each. Both bounds count
 * entries, oldest out. Bridge material: the last {@code retainedBridgeProofs} locks and burns,
 * and every committed validator-set change (by the epoch it started; there are few), which
 * other chains' light clients need to follow this chain's sets ({@link GetEpochProof}).
 */
public final class ChainKeeper
    extends EventSourcedBehavior<ChainKeeper.Command, ChainKeeper.Event, ChainKeeper.Chain> {

  public static final String TYPE = "ChainKeeper";
  private static final HexFormat HEX = HexFormat.of();

  public sealed interface Command extends KryoMessage {}

  /** From the local validator's {@link CommitListener}: Codec encodings. */
  public record Committed(byte[] block, byte[] certificate, long committedAtMillis)
      implements Command {}

  /** From the local validator: a refused transaction (blockId "" when refused from the pool). */
  public record Rejected(String transactionId, String blockId, String reason, long atMillis)
      implements Command {}

  /** A transaction this node submitted to its validator's pool at {@code atMillis}. */
  public record Pending(String transactionId, long atMillis) implements Command {}

  public record GetHead(ActorRef<ChainResponse> replyTo) implements Command {}

  public record GetBlock(long height, ActorRef<ChainResponse> replyTo) implements Command {}

  public record GetTx(String transactionId, ActorRef<ChainResponse> replyTo) implements Command {}

  /**
   * @param live by index, whether the caller knows the validator to be live (may be empty); the
   *     keeper adds what the chain shows: it proposed or signed a recent commit
   */
  public record GetValidators(List<Boolean> live, ActorRef<ChainResponse> replyTo)
      implements Command {}

  /** A relayable proof of a committed, applied lock or burn, with this node's attestation. */
  public record GetBridgeProof(String transactionId, ActorRef<ChainResponse> replyTo)
      implements Command {}

  /**
   * A relayable proof of the committed validator-set change that started {@code epoch} (1 for
   * the first change): a BRIDGE_FOLLOW payload for the other chains' light clients.
   */
  public record GetEpochProof(long epoch, ActorRef<ChainResponse> replyTo) implements Command {}

  public sealed interface Event extends KryoMessage {}

  public record BlockApplied(byte[] block, byte[] certificate, long committedAtMillis)
      implements Event {}

  public record TransactionRejected(String transactionId, String blockId, String reason,
      long atMillis) implements Event {}

  /** What a commit or rejection means for metrics; called on the keeper's thread. */
  public interface Observer {

    /** @param latencyMillis submit-to-commit of each transaction this node submitted in the block */
    void committed(long height, long round, List<Long> latencyMillis, int transactions);

    void rejected(String proof);
  }

  /**
   * Re-tells the keeper, as {@link Committed}, every block the local validator committed from
   * {@code fromHeight} on (read from the validator's journal); the keeper ignores what it has.
   */
  @FunctionalInterface
  public interface GapFiller {

    void fill(long fromHeight, ActorRef<Command> keeper);
  }

  /**
   * The layers' side of a commit: the transactions {@link ChainState#apply} returned (after it
   * checked the certificate), in chain order, each once per state. Called on the keeper's thread
   * under the state's monitor, also while the keeper replays its journal at start; must not block.
   */
  @FunctionalInterface
  public interface Applier {

    void applied(List<AppliedTransaction> transactions);
  }

  /**
   * @param node this node's name, for answers
   * @param self this node's validator index, or -1
   * @param gapFiller called when a commit arrives above the next height (null: the gap is logged)
   * @param applier the layers' applier of committed transactions (null: none)
   * @param attester signs with this node's validator key that the ledger applied a bridge
   *     transfer ({@link online.hypermesh.protocol.caesar.ExecutionAttestation}); null: proofs
   *     carry no attestation from this node
   * @param retainedBridgeProofs how many of the last locks and burns keep their proof material
   *     (the transaction, its path, the headers up to its certificate: ~25 KB each); 0 = none
   */
  public record Settings(String node, int self, Genesis genesis, ChainState state,
      int retainedBlocks, int retainedRejections, int latencyWindow, Observer observer,
      GapFiller gapFiller, Applier applier, Signer attester, int retainedBridgeProofs) {

    public Settings(String node, int self, Genesis genesis, ChainState state, int retainedBlocks,
        int retainedRejections, int latencyWindow, Observer observer, GapFiller gapFiller) {
      this(node, self, genesis, state, retainedBlocks, retainedRejections, latencyWindow, observer,
          gapFiller, null, null, 0);
    }

    public Settings(String node, int self, Genesis genesis, ChainState state, int retainedBlocks,
        int retainedRejections, int latencyWindow, Observer observer, GapFiller gapFiller,
        Applier applier) {
      this(node, self, genesis, state, retainedBlocks, retainedRejections, latencyWindow, observer,
          gapFiller, applier, null, 0);
    }
  }

  private final ActorContext<Command> context;
  private final Settings settings;
  private long lastFill;

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(context -> new ChainKeeper(context, settings));
  }

  /** One journal per chain and node. */
  public static PersistenceId persistenceId(Digest chainId, String node) {
    return PersistenceId.of(TYPE, chainId.hex() + "-" + node);
  }

  private ChainKeeper(ActorContext<Command> context, Settings settings) {
    super(persistenceId(settings.genesis().chainId(), settings.node()));
    this.context = context;
    this.settings = settings;
  }

  @Override
  public Chain emptyState() {
    return new Chain(settings);
  }

  @Override
  public CommandHandler<Command, Event, Chain> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Committed.class, this::committed)
        .onCommand(Rejected.class, (chain, r) -> chain.rejections.containsKey(r.transactionId())
            ? Effect().none()
            : Effect().persist(new TransactionRejected(r.transactionId(), r.blockId(), r.reason(),
                r.atMillis())))
        .onCommand(Pending.class, (chain, p) -> {
          chain.pending(p.transactionId(), p.atMillis());
          return Effect().none();
        })
        .onCommand(GetHead.class, (chain, get) -> reply(get.replyTo(), chain.head()))
        .onCommand(GetBlock.class, (chain, get) -> reply(get.replyTo(), chain.block(get.height())))
        .onCommand(GetTx.class, (chain, get) -> reply(get.replyTo(), chain.tx(get.transactionId())))
        .onCommand(GetValidators.class,
            (chain, get) -> reply(get.replyTo(), chain.validators(get.live())))
        .onCommand(GetBridgeProof.class,
            (chain, get) -> reply(get.replyTo(), chain.bridgeProof(get.transactionId())))
        .onCommand(GetEpochProof.class,
            (chain, get) -> reply(get.replyTo(), chain.epochProof(get.epoch())))
        .build();
  }

  private Effect<Event, Chain> reply(ActorRef<ChainResponse> to, ChainResponse response) {
    return Effect().none().thenRun(c -> to.tell(response));
  }

  private Effect<Event, Chain> committed(Chain chain, Committed committed) {
    var block = Codec.decodeBlock(committed.block());
    if (!block.ok()) {
      context.getLog().error("chain keeper got an undecodable committed block: {}", block.error());
      return Effect().none();
    }
    long next = chain.nextHeight();
    long height = block.value().height();
    if (height < next) {
      return Effect().none();
    }
    if (height > next) {
      // The validator tells each commit once, in order, after its own journal write; a hole means
      // the keeper lost some (a failed write of its own, a restart of the keeper alone). The
      // validator's journal has them: ask for a refill, at most one every few seconds.
      long now = System.currentTimeMillis();
      if (settings.gapFiller() != null && now - lastFill > 5_000) {
        lastFill = now;
        context.getLog().warn("chain keeper at height {} got block {}; refilling from the "
            + "validator's journal", next - 1, height);
        settings.gapFiller().fill(next, context.getSelf());
      } else if (settings.gapFiller() == null) {
        context.getLog().error("chain keeper at height {} got block {}; blocks {}..{} are missing",
            next - 1, height, next, height - 1);
      }
      return Effect().none();
    }
    return Effect().persist(
        new BlockApplied(committed.block(), committed.certificate(), committed.committedAtMillis()));
  }

  @Override
  public EventHandler<Chain, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(BlockApplied.class, (chain, event) -> {
          chain.apply(event, context);
          return chain;
        })
        .onEvent(TransactionRejected.class, (chain, event) -> {
          chain.rejected(event);
          return chain;
        })
        .build();
  }

  /** The keeper's mutable state; only the keeper's handlers touch it (the ChainState under its monitor). */
  public static final class Chain {

    private final Settings settings;
    private final ChainState state;
    private final java.util.TreeMap<Long, StoredBlock> blocks = new java.util.TreeMap<>();
    /** Proof material of the last locks and burns, by transaction id, oldest first. */
    private final java.util.LinkedHashMap<Digest, BridgeProofs.Material> transfers =
        new java.util.LinkedHashMap<>();
    /** Material still collecting the headers up to the block its certificate commits. */
    private final List<BridgeProofs.Material> uncertified = new ArrayList<>();
    /**
     * Kind-9 transactions of blocks the state has not applied yet, by id: whether one changes
     * the set is the state's to say once its commit is applied ({@link ChainState#changeOf}).
     */
    private final java.util.LinkedHashMap<Digest, BridgeProofs.Material> changeCandidates =
        new java.util.LinkedHashMap<>();
    /** A later-joined validator's index per epoch (see {@link #selfIn}). */
    private final java.util.Map<Long, Integer> probedIndex = new java.util.HashMap<>();
    /** Proof material of every committed validator-set change, by the epoch it started. */
    private final java.util.TreeMap<Long, BridgeProofs.Material> epochChanges =
        new java.util.TreeMap<>();
    private final java.util.LinkedHashMap<String, TransactionRejected> rejections =
        new java.util.LinkedHashMap<>();
    private final java.util.LinkedHashMap<String, Long> pending = new java.util.LinkedHashMap<>();
    private final long[] latencies;
    private int latencyCount;
    private final long[] lastSigned;
    private final online.hypermesh.protocol.consensus.bft.ValidatorSet genesisSet;
    private long lastRound;
    private long lastTime;
    private long received;

    Chain(Settings settings) {
      this.settings = settings;
      this.state = settings.state();
      this.latencies = new long[Math.max(1, settings.latencyWindow())];
      this.lastSigned = new long[settings.genesis().validators().size()];
      java.util.Arrays.fill(lastSigned, -1);
      this.genesisSet = settings.genesis().validatorSet();
      this.lastTime = settings.genesis().genesisTimeMillis();
    }

    /** The height the next block told must have: applied plus held (awaiting its certificate). */
    long nextHeight() {
      synchronized (state) {
        return received + 1;
      }
    }

    void apply(BlockApplied event, ActorContext<Command> context) {
      Block block = Codec.decodeBlock(event.block()).value();
      CommitCertificate certificate = Codec.decodeCommitCertificate(event.certificate()).value();
      if (block == null || certificate == null || block.height() != received + 1) {
        context.getLog().error("chain keeper: journal event for block {} does not follow {}",
            block, received);
        return;
      }
      collectTransfers(block, certificate);
      synchronized (state) {
        try {
          // The state outlives a restart of the keeper (its supervisor restarts it on a journal
          // failure and it replays from the start): what the state already holds is not re-applied.
          if (block.height() > state.height() + state.heldBlocks()) {
            List<AppliedTransaction> applied = state.apply(block, certificate);
            if (settings.applier() != null && !applied.isEmpty()) {
              settings.applier().applied(applied);
            }
          }
        } catch (CommitRejectedException e) {
          context.getLog().error("chain keeper: committed block {} refused by the chain state: {}",
              block, e.getMessage());
          return;
        }
        keepEpochChanges();
      }
      received = block.height();
      long time = timeOf(block.height());
      List<String> ids = new ArrayList<>(block.transactions().size());
      List<Long> latency = new ArrayList<>();
      for (Transaction tx : block.transactions()) {
        ids.add(tx.id().hex());
        Long submitted = pending.remove(tx.id().hex());
        if (submitted != null) {
          long millis = Math.max(0, event.committedAtMillis() - submitted);
          latency.add(millis);
          latencies[latencyCount++ % latencies.length] = millis;
        }
      }
      List<Integer> signers = new ArrayList<>(certificate.qc().signatures().keySet());
      // Indices are the epoch's; liveness is kept per genesis validator.
      var certifiedBy = state.validatorSetAt(certificate.height());
      for (int signer : signers) {
        int g = genesisIndex(certifiedBy, signer);
        if (g >= 0) {
          lastSigned[g] = Math.max(lastSigned[g], certificate.height());
        }
      }
      int proposer = genesisIndex(state.validatorSetAt(block.height()), block.proposer());
      if (proposer >= 0) {
        lastSigned[proposer] = Math.max(lastSigned[proposer], block.height());
      }
      blocks.put(block.height(), new StoredBlock(new ChainResponse.Block(block.height(),
          block.id().hex(), block.parentId().hex(), block.round(), block.proposer(), time,
          List.copyOf(ids), List.copyOf(signers), certificate.blockId().hex())));
      while (blocks.size() > settings.retainedBlocks()) {
        blocks.pollFirstEntry();
      }
      lastRound = block.round();
      lastTime = time;
      if (settings.observer() != null) {
        settings.observer().committed(block.height(), block.round(), latency, ids.size());
      }
    }

    /**
     * Extends the uncertified material with this block's header, and starts material for each
     * lock or burn the block holds (whether the ledger applied it is asked of the state when a
     * proof is requested).
     */
    private void collectTransfers(Block block, CommitCertificate certificate) {
      java.util.Iterator<BridgeProofs.Material> it = uncertified.iterator();
      while (it.hasNext()) {
        BridgeProofs.Material m = it.next();
        if (m.extend(block.header())) {
          it.remove();
        }
      }
      List<Transaction> txs = block.transactions();
      List<byte[]> leaves = null;
      for (int i = 0; i < txs.size(); i++) {
        boolean transfer = BridgeProofs.mayBeTransfer(txs.get(i));
        boolean change = !transfer && BridgeProofs.mayBeChange(txs.get(i));
        if (!transfer && !change) {
          continue;
        }
        if (leaves == null) {
          leaves = MerkleTree.leaves(txs);
        }
        BridgeProofs.Material m = new BridgeProofs.Material(block.header(), certificate,
            txs.get(i), i, MerkleTree.path(leaves, i));
        (transfer ? transfers : changeCandidates).put(txs.get(i).id(), m);
        if (!m.certified()) {
          uncertified.add(m);
        }
      }
      while (transfers.size() > settings.retainedBridgeProofs()) {
        uncertified.remove(transfers.remove(transfers.keySet().iterator().next()));
      }
    }

    /**
     * Keeps the material of each change the state has switched on (by the epoch it started) and
     * drops the other kind-9 candidates once their block is applied. Under the state's monitor.
     * Also right after a keeper restart, when the state is ahead of the replayed journal: a
     * change is kept as soon as its block is replayed.
     */
    private void keepEpochChanges() {
      for (long e = 1; e <= state.epoch(); e++) {
        if (!epochChanges.containsKey(e)) {
          BridgeProofs.Material m = state.changeOf(e).map(changeCandidates::remove).orElse(null);
          if (m != null) {
            epochChanges.put(e, m);
          }
        }
      }
      long applied = state.height();
      changeCandidates.values().removeIf(m -> {
        boolean drop = m.height() <= applied;
        if (drop) {
          uncertified.remove(m);
        }
        return drop;
      });
    }

    ChainResponse epochProof(long epoch) {
      Digest chainId = settings.genesis().chainId();
      if (epoch < 1) {
        return new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST, "epoch " + epoch
            + " has no change to prove: epoch 0 is the genesis set, the first validator-set "
            + "change starts epoch 1");
      }
      online.hypermesh.protocol.consensus.bft.ValidatorSet next;
      long current;
      synchronized (state) {
        current = state.epoch();
        next = state.validatorSetOf(epoch).orElse(null);
      }
      if (next == null) {
        return new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND, "no epoch " + epoch
            + " on chain " + chainId.hex() + ": it is in epoch " + current
            + " (as far as this node has applied)");
      }
      BridgeProofs.Material m = epochChanges.get(epoch);
      if (m == null) {
        return new ChainResponse.Rejected(ChainResponse.Reason.UNAVAILABLE, "this node did not "
            + "keep the proof of the change that started epoch " + epoch + "; ask another node");
      }
      return BridgeProofs.buildFollow(chainId, m, next);
    }

    /**
     * This node's index in {@code set}, or -1: by its genesis key when it is a genesis validator,
     * else (a validator that joined later, given an attester but no genesis index) by which key
     * of the set verifies the attester's signature on a probe, once per epoch.
     */
    private int selfIn(online.hypermesh.protocol.consensus.bft.ValidatorSet set) {
      if (genesisSet.contains(settings.self())) {
        return set.indexOf(genesisSet.publicKey(settings.self()));
      }
      if (settings.attester() == null) {
        return -1;
      }
      return probedIndex.computeIfAbsent(set.epoch(), e -> {
        byte[] probe = ("HM-KEEPER-SELF-" + set.signingChainId().hex())
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signature = settings.attester().sign(probe);
        var verifier = new online.hypermesh.protocol.consensus.bft.FalconVerifier();
        for (int i = 0; i < set.size(); i++) {
          if (verifier.verify(set.publicKey(i), probe, signature)) {
            return i;
          }
        }
        return -1;
      });
    }

    ChainResponse bridgeProof(String id) {
      Digest digest;
      try {
        digest = Digest.of(HEX.parseHex(id.toLowerCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        return new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
            "a transaction id is 64 hex digits, not '" + id + "'");
      }
      BridgeProofs.Material m = transfers.get(digest);
      boolean applied;
      online.hypermesh.protocol.consensus.bft.ValidatorSet set = null;
      synchronized (state) {
        // Committed, and not refused by the ledger: the state says so (held blocks are neither).
        applied = state.heightOf(digest).isPresent()
            && state.caesar().flatMap(c -> c.failure(digest)).isEmpty();
        if (m != null) {
          set = state.validatorSetAt(m.height());
        }
      }
      if (m == null || !applied) {
        return new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND, whyNoProof(digest));
      }
      // Attest only as a validator of the transfer's epoch, under that epoch's signing id.
      return BridgeProofs.build(settings.genesis().chainId(), digest, m, set, selfIn(set),
          settings.attester());
    }

    private String whyNoProof(Digest id) {
      synchronized (state) {
        java.util.Optional<Long> height = state.heightOf(id);
        if (height.isEmpty()) {
          return "transaction " + id.hex() + " is not committed on chain "
              + settings.genesis().chainId().hex() + " (as far as this node has applied)";
        }
        String failure = state.caesar().flatMap(c -> c.failure(id)).orElse("");
        if (!failure.isEmpty()) {
          return "transaction " + id.hex() + " was committed at height " + height.get()
              + " but the ledger refused it (" + failure + "): there is nothing to redeem";
        }
        return "transaction " + id.hex() + " at height " + height.get() + " is not a lock or "
            + "burn this node still keeps (it keeps the proofs of the last "
            + settings.retainedBridgeProofs() + ")";
      }
    }

    private long timeOf(long height) {
      synchronized (state) {
        return state.tickAt(height).map(BlockTick::timestampMillis).orElse(lastTime);
      }
    }

    void rejected(TransactionRejected event) {
      rejections.put(event.transactionId(), event);
      pending.remove(event.transactionId());
      while (rejections.size() > settings.retainedRejections()) {
        rejections.remove(rejections.keySet().iterator().next());
      }
      if (settings.observer() != null) {
        settings.observer().rejected(proofOf(event.reason()));
      }
    }

    void pending(String id, long atMillis) {
      pending.put(id, atMillis);
      while (pending.size() > settings.retainedRejections()) {
        pending.remove(pending.keySet().iterator().next());
      }
    }

    ChainResponse head() {
      long height;
      String tip;
      synchronized (state) {
        height = state.height();
        tip = state.tipId().hex();
      }
      int n = Math.min(latencyCount, latencies.length);
      long[] sorted = java.util.Arrays.copyOf(latencies, n);
      java.util.Arrays.sort(sorted);
      return new ChainResponse.Head(settings.genesis().chainId().hex(), settings.node(), height,
          tip, timeOf(height), lastRound, percentile(sorted, 0.50), percentile(sorted, 0.99),
          n == 0 ? -1 : sorted[n - 1], n, pending.size());
    }

    ChainResponse block(long height) {
      StoredBlock stored = blocks.get(height);
      if (stored != null) {
        return stored.response();
      }
      long applied;
      synchronized (state) {
        applied = state.height();
      }
      if (height < 1 || height > applied) {
        return new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND,
            "no block at height " + height + "; the committed height is " + applied);
      }
      return new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND, "block " + height
          + " was pruned: this node keeps the last " + settings.retainedBlocks() + " blocks");
    }

    ChainResponse tx(String id) {
      String key = id.toLowerCase(java.util.Locale.ROOT);
      Digest digest;
      try {
        digest = Digest.of(HEX.parseHex(key));
      } catch (IllegalArgumentException e) {
        return new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
            "a transaction id is 64 hex digits, not '" + id + "'");
      }
      java.util.Optional<Long> height;
      String failure;
      synchronized (state) {
        height = state.heightOf(digest);
        // A committed CAES operation the ledger refused: committed, but it changed nothing.
        failure = state.caesar().flatMap(c -> c.failure(digest)).orElse("");
      }
      if (height.isPresent()) {
        return new ChainResponse.TxStatus(key, ChainResponse.TxState.COMMITTED, height.get(),
            failure.isEmpty() ? "" : "PAYLOAD", failure);
      }
      TransactionRejected rejected = rejections.get(key);
      if (rejected != null) {
        return new ChainResponse.TxStatus(key, ChainResponse.TxState.REJECTED, -1,
            proofOf(rejected.reason()), rejected.reason());
      }
      if (pending.containsKey(key)) {
        return new ChainResponse.TxStatus(key, ChainResponse.TxState.PENDING, -1, "", "");
      }
      return new ChainResponse.TxStatus(key, ChainResponse.TxState.UNKNOWN, -1, "", "");
    }

    /** The genesis index of validator {@code index} of {@code set}, or -1. */
    private int genesisIndex(online.hypermesh.protocol.consensus.bft.ValidatorSet set, int index) {
      if (!set.contains(index)) {
        return -1;
      }
      return genesisSet.indexOf(set.publicKey(index));
    }

    /**
     * Whether validator i proposed or co-signed one of the last 2n commits: a validator that
     * stops voting drops out of the certificates (and its rounds time out).
     */
    private boolean recentlySigned(int i) {
      return lastSigned[i] >= 0 && lastSigned[i] >= received - 2L * lastSigned.length;
    }

    ChainResponse validators(List<Boolean> live) {
      Genesis genesis = settings.genesis();
      List<byte[]> keys = genesis.publicKeys();
      List<ChainResponse.ValidatorInfo> infos = new ArrayList<>();
      for (int i = 0; i < genesis.validators().size(); i++) {
        GenesisValidator v = genesis.validators().get(i);
        boolean isSelf = i == settings.self();
        infos.add(new ChainResponse.ValidatorInfo(i, v.name(), HEX.formatHex(sha256(keys.get(i))),
            HEX.formatHex(sha256(v.certificateDer())), isSelf,
            isSelf || (i < live.size() && Boolean.TRUE.equals(live.get(i)))
                || recentlySigned(i), lastSigned[i]));
      }
      return new ChainResponse.Validators(genesis.chainId().hex(),
          state.validatorSet().quorum(), List.copyOf(infos));
    }
  }

  /** The proof a validator's reason names (its "PROOF: " prefix), or OTHER. */
  public static String proofOf(String reason) {
    if (reason != null) {
      int colon = reason.indexOf(": ");
      if (colon > 0) {
        String prefix = reason.substring(0, colon);
        for (var kind : online.hypermesh.protocol.consensus.proof.ProofKind.values()) {
          if (kind.name().equals(prefix)) {
            return prefix;
          }
        }
      }
    }
    return "OTHER";
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  record StoredBlock(ChainResponse.Block response) {}


}
