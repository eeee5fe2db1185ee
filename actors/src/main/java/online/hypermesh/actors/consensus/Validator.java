package online.hypermesh.actors.consensus;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.chain.EpochChanges;
import online.hypermesh.protocol.consensus.bft.BftCore;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommittedTip;
import online.hypermesh.protocol.consensus.bft.ConsensusMessage;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.Input;
import online.hypermesh.protocol.consensus.bft.Output;
import online.hypermesh.protocol.consensus.bft.SafetyState;
import online.hypermesh.protocol.consensus.bft.Step;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.serialization.KryoMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One BFT validator: the pure {@link BftCore} made durable. Every step's new safety state and
 * commits are persisted before any of its messages leave, so a validator that crashes and restarts
 * never signs two different things for one round (see the bft package-info).
 *
 * <p>The journal holds only what the core needs back after a crash: the latest safety state and
 * the committed chain. Votes in flight, the block tree and the pool are volatile; the core refetches
 * them from peers. The state is two small values, so a snapshot every few events bounds replay.
 *
 * <p>A failed journal write stops the validator (Pekko's default), which is safe: nothing signed
 * under the unwritten state has left. Its parent restarts it, and recovery reads the journal.
 *
 * <p>Epochs (docs/RECONFIGURATION.md): when its core commits a quorum-authorized validator-set
 * change and ends the epoch, the validator persists {@link EpochStarted} with the commits, then
 * runs the next epoch's core if its key is in the new set (its index may differ), else retires:
 * it answers nothing but endings and refuses new transactions. The core that ends an epoch stops
 * at once, so a validator that missed the last certificate would wait for ever: any message of
 * an ended epoch is answered with that epoch's {@link EpochEnding} (its last blocks and
 * certificate), which the lagging validator checks against its own set and takes as committed.
 */
public final class Validator
    extends EventSourcedBehavior<Validator.Command, Validator.Event, Validator.State> {

  public static final String TYPE = "Validator";

  public sealed interface Command extends KryoMessage {}

  /**
   * An encoded {@link ConsensusMessage} from validator {@code from} of epoch {@code epoch} (its
   * claims; signatures decide), whose committed tip is at {@code tipHeight}. {@code replyTo} gets
   * the {@link EpochEnding} when that epoch has ended here.
   */
  public record Deliver(int from, long epoch, long tipHeight, byte[] message,
      ActorRef<Command> replyTo) implements Command {}

  /**
   * How epoch {@code epoch} ended: its last blocks up to the base block (Codec encodings, parent
   * first) and the certificate that committed them; checked by the receiver against its own set.
   */
  public record EpochEnding(long epoch, List<byte[]> blocks, byte[] certificate)
      implements Command {}

  /**
   * Committed blocks of epoch {@code epoch} below its ending, with their certificates (Codec
   * encodings, parent first), for a validator further behind than the ending reaches; the last
   * block's certificate commits it. Checked by the receiver like an ending.
   */
  public record EpochCatchUp(long epoch, List<byte[]> blocks, List<byte[]> certificates)
      implements Command {}

  /** Transactions for this validator's pool; ids are 32-byte digests chosen by the sender. */
  public record Submit(List<SubmittedTransaction> transactions) implements Command {}

  public record SubmittedTransaction(byte[] id, byte[] body) implements KryoMessage {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Sent to itself once recovery is done, and when an epoch begins: its core starts only then. */
  public record Start(long epoch) implements Command {}

  public record RoundTimerFired(long epoch, long round) implements Command {}

  public record ProposalTimerFired(long epoch, long round) implements Command {}

  /**
   * {@code lastBlockId} is empty at height 0 (genesis); {@code validator} is the index in the
   * epoch's set, -1 once retired.
   */
  public record Status(int validator, long height, byte[] lastBlockId, long round,
      long lastVotedRound, int pooledTransactions, long epoch) implements KryoMessage {}

  public sealed interface Event extends KryoMessage {}

  /** The newest {@link SafetyState} (Codec encoding); it replaces every earlier one. */
  public record SafetyStateChanged(byte[] safetyState) implements Event {}

  /**
   * A final block and the certificate that commits it or a descendant (Codec encodings), with
   * the block's time (tick count, tick hash, timestamp): the next block's must follow it.
   */
  public record BlockCommitted(long height, long round, byte[] blockId, byte[] block,
      byte[] certificate, long tickCount, byte[] tickHash, long timestampMillis)
      implements Event {}

  /**
   * The epoch after the last one ended here: its validators' keys and the base block it starts
   * from (id, height, time), with the ended epoch's ending, kept to answer validators still in it.
   */
  public record EpochStarted(List<byte[]> keys, byte[] baseId, long baseHeight, long tickCount,
      byte[] tickHash, long timestampMillis, List<byte[]> endingBlocks, byte[] endingCertificate)
      implements Event {}

  /**
   * What survives a crash, also the snapshot: the encoded safety state of the current epoch (null
   * before its first signature), the committed tip with its time (null id and hash at genesis),
   * and every epoch started after genesis, in order.
   */
  public record State(byte[] safetyState, long height, long round, byte[] tipId,
      long tickCount, byte[] tickHash, long timestampMillis, List<EpochStarted> epochs)
      implements KryoMessage {

    static final State EMPTY = new State(null, 0, 0, null, 0, null, 0, List.of());
  }

  /** Blocks before the change kept in an ending, for a validator a few commits behind. */
  static final int ENDING_LEAD_BLOCKS = 4;
  /** A catch-up answer holds at most this many bytes past its first batch. */
  static final int CATCH_UP_BYTES = 2 * 1024 * 1024;

  private final ActorContext<Command> context;
  private final ValidatorSettings settings;
  private final ValidatorNetwork network;
  private final CommitListener listener;
  private final ValidatorHistory history;
  /** When each lagging peer was last sent a catch-up (a journal read), to answer once a second. */
  private final java.util.Map<ActorRef<Command>, Long> catchUpSent = new java.util.HashMap<>();
  private final byte[] ownKey;
  /** The set of the current epoch; {@code core} is null once this validator is not in it. */
  private ValidatorSet set;
  private BftCore core;
  private boolean started;
  /** The current epoch's recent commits, for its ending. */
  private final ArrayDeque<Block> recent = new ArrayDeque<>();

  public static Behavior<Command> create(ValidatorSettings settings,
      ValidatorNetwork.Factory network, CommitListener listener) {
    return create(settings, network, listener, null);
  }

  /** With {@code history} (may be null), it also catches up validators far behind an ending. */
  public static Behavior<Command> create(ValidatorSettings settings,
      ValidatorNetwork.Factory network, CommitListener listener, ValidatorHistory history) {
    return Behaviors.setup(context ->
        new Validator(context, settings, network.open(context), listener, history));
  }

  /** One journal per chain and genesis validator index, whatever the epoch. */
  public static PersistenceId persistenceId(Digest chainId, int index) {
    return PersistenceId.of(TYPE, chainId.hex() + "-" + index);
  }

  private Validator(ActorContext<Command> context, ValidatorSettings settings,
      ValidatorNetwork network, CommitListener listener, ValidatorHistory history) {
    super(persistenceId(settings.set().chainId(), settings.self()));
    this.context = context;
    this.settings = settings;
    this.network = network;
    this.listener = listener;
    this.history = history;
    this.ownKey = settings.set().publicKey(settings.self());
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Only the latest snapshot is ever read back; keeping two covers a failed snapshot write.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::recovered)
        .build();
  }

  private void recovered(State state) {
    set = settings.set();
    for (EpochStarted e : state.epochs()) {
      int before = set.indexOf(ownKey);
      if (before >= 0) {
        // Validators still in that epoch can ask this one for its ending.
        network.join(set, before, false);
      }
      set = next(set, e);
    }
    int self = set.indexOf(ownKey);
    if (self < 0) {
      core = null;
      context.getLog().info("validator recovered retired: not in the set of epoch {}", set.epoch());
      return;
    }
    SafetyState safety = SafetyState.initial(set);
    if (state.safetyState() != null) {
      var decoded = Codec.decodeSafetyState(state.safetyState());
      if (!decoded.ok()) {
        // Starting without it could sign twice in one round: refuse to run instead.
        throw new IllegalStateException("journal of validator " + settings.self()
            + " holds an unreadable safety state: " + decoded.error());
      }
      safety = decoded.value();
    }
    CommittedTip tip = state.height() == set.genesisHeight()
        ? CommittedTip.genesis(set)
        : new CommittedTip(Digest.of(state.tipId()), state.round(), state.height(),
            new BlockTime(state.tickCount(), Digest.of(state.tickHash()), state.timestampMillis()));
    core = BftCore.restore(settings.config(), set, self, settings.signer(),
        settings.verifier(), settings.transactions(), safety, tip, settings.clock(),
        EpochChanges.boundary(set, settings.verifier()));
    network.join(set, self, true);
    context.getLog().info("validator {} of epoch {} recovered at height {}, last voted round {}",
        self, set.epoch(), tip.height(), safety.lastVotedRound());
    started = false;
    context.getSelf().tell(new Start(set.epoch()));
  }

  /** The committed tip's id: the epoch's base (the genesis id in epoch 0) until its first commit. */
  private Digest tipId(State state) {
    return state.height() == set.genesisHeight() ? set.genesisId() : Digest.of(state.tipId());
  }

  private static ValidatorSet next(ValidatorSet current, EpochStarted e) {
    return current.next(e.keys(), Digest.of(e.baseId()), e.baseHeight(),
        new BlockTime(e.tickCount(), Digest.of(e.tickHash()), e.timestampMillis()));
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(GetStatus.class, (state, get) -> Effect().none().thenRun(s ->
            get.replyTo().tell(status(state))))
        .onCommand(Start.class, this::start)
        .onCommand(Deliver.class, this::deliver)
        .onCommand(EpochEnding.class, this::takeEnding)
        .onCommand(EpochCatchUp.class, this::takeCatchUp)
        .onCommand(Submit.class, this::submit)
        .onCommand(RoundTimerFired.class, (state, timer) -> timer.epoch() == set.epoch()
            ? handle(new Input.TimerExpired(timer.round())) : Effect().none())
        .onCommand(ProposalTimerFired.class, (state, timer) -> timer.epoch() == set.epoch()
            ? handle(new Input.ProposalDue(timer.round())) : Effect().none())
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(SafetyStateChanged.class, (state, event) ->
            new State(event.safetyState(), state.height(), state.round(), state.tipId(),
                state.tickCount(), state.tickHash(), state.timestampMillis(), state.epochs()))
        .onEvent(BlockCommitted.class, (state, event) ->
            new State(state.safetyState(), event.height(), event.round(), event.blockId(),
                event.tickCount(), event.tickHash(), event.timestampMillis(), state.epochs()))
        .onEvent(EpochStarted.class, (state, event) -> {
          List<EpochStarted> epochs = new ArrayList<>(state.epochs());
          epochs.add(event);
          // The new epoch starts from its base block with a fresh safety state.
          return new State(null, event.baseHeight(), 0, event.baseId(), event.tickCount(),
              event.tickHash(), event.timestampMillis(), List.copyOf(epochs));
        })
        .build();
  }

  private Effect<Event, State> start(State state, Start start) {
    if (started || core == null || start.epoch() != set.epoch()) {
      // Starting twice would re-arm timers and re-propose; a stale Start is for an ended core.
      return Effect().none();
    }
    started = true;
    return carryOut(core.start()).thenUnstashAll();
  }

  private Effect<Event, State> deliver(State state, Deliver deliver) {
    if (deliver.epoch() < set.epoch()) {
      answerWithEnding(state, deliver);
      return Effect().none();
    }
    if (core == null || deliver.epoch() > set.epoch()) {
      // A later epoch: this validator is behind and learns the ending from the validators still
      // in its own epoch (or it retired, and has nothing to do with it).
      return Effect().none();
    }
    if (!started) {
      return Effect().stash();
    }
    var decoded = Codec.decodeMessage(deliver.message());
    if (!decoded.ok()) {
      context.getLog().warn("validator {} dropped an undecodable message from {}: {}",
          settings.self(), deliver.from(), decoded.error());
      return Effect().none();
    }
    return handle(new Input.Received(deliver.from(), decoded.value()));
  }

  private Effect<Event, State> submit(State state, Submit submit) {
    if (core == null) {
      for (SubmittedTransaction t : submit.transactions()) {
        if (t != null && t.id() != null && t.id().length == Digest.LENGTH) {
          listener.rejected(Digest.of(t.id()), null, "this node is not a validator of epoch "
              + set.epoch() + " (it retired when the validator set changed): submit to a node"
              + " of the current set");
        }
      }
      return Effect().none();
    }
    if (!started) {
      return Effect().stash();
    }
    List<Transaction> transactions = new ArrayList<>(submit.transactions().size());
    for (SubmittedTransaction t : submit.transactions()) {
      if (t == null || t.id() == null || t.id().length != Digest.LENGTH || t.body() == null) {
        context.getLog().warn("validator {} refused a transaction without a 32-byte id and a body",
            settings.self());
        continue;
      }
      transactions.add(new Transaction(Digest.of(t.id()), t.body()));
    }
    return transactions.isEmpty()
        ? Effect().none()
        : handle(new Input.SubmitTransactions(transactions));
  }

  private Effect<Event, State> handle(Input input) {
    if (core == null) {
      return Effect().none();
    }
    if (!started) {
      return Effect().stash();
    }
    return carryOut(core.handle(input));
  }

  /** Persist the step's safety state and commits, then (only then) act on its outputs. */
  private EffectBuilder<Event, State> carryOut(Step step) {
    List<Event> events = new ArrayList<>();
    if (step.persist() != null) {
      events.add(new SafetyStateChanged(Codec.encode(step.persist())));
    }
    for (Output output : step.outputs()) {
      if (output instanceof Output.Commit c) {
        events.add(committed(c.block(), c.certificate()));
      } else if (output instanceof Output.EpochEnded e) {
        List<Block> commits = new ArrayList<>();
        for (Output o : step.outputs()) {
          if (o instanceof Output.Commit c) {
            commits.add(c.block());
          }
        }
        events.add(epochStarted(e.base(), e.change(), e.certificate(), commits));
      }
    }
    EffectBuilder<Event, State> effect = events.isEmpty() ? Effect().none() : Effect().persist(events);
    long epoch = set.epoch();
    return effect.thenRun(s -> perform(step.outputs(), s, epoch));
  }

  private static BlockCommitted committed(Block block, CommitCertificate certificate) {
    BlockTime time = block.time();
    return new BlockCommitted(block.height(), block.round(), block.id().bytes(),
        Codec.encode(block), Codec.encode(certificate), time.tickCount(), time.tickHash().bytes(),
        time.timestampMillis());
  }

  /** The next epoch's start, with this epoch's ending: the change's few predecessors up to base. */
  private EpochStarted epochStarted(Block base, Block change, CommitCertificate certificate,
      List<Block> justCommitted) {
    List<Block> known = new ArrayList<>(recent);
    known.addAll(justCommitted);
    List<byte[]> ending = new ArrayList<>();
    for (Block b : known) {
      if (b.height() >= change.height() - ENDING_LEAD_BLOCKS && b.height() <= base.height()) {
        ending.add(Codec.encode(b));
      }
    }
    EpochChange next = EpochChanges.find(change, set, settings.verifier()).orElseThrow(() ->
        new IllegalStateException("the core ended epoch " + set.epoch() + " on block "
            + change.id() + ", which carries no valid change"));
    BlockTime time = base.time();
    return new EpochStarted(next.keys(), base.id().bytes(), base.height(), time.tickCount(),
        time.tickHash().bytes(), time.timestampMillis(), List.copyOf(ending),
        Codec.encode(certificate));
  }

  private void perform(List<Output> outputs, State state, long epoch) {
    if (epoch != set.epoch()) {
      // The epoch ended between the step and its persistence: its outputs are void.
      return;
    }
    for (Output output : outputs) {
      if (output instanceof Output.Send s) {
        network.send(s.to(), deliver(s.message(), state));
      } else if (output instanceof Output.Broadcast b) {
        network.broadcast(deliver(b.message(), state));
      } else if (output instanceof Output.SetTimer t) {
        context.scheduleOnce(Duration.ofMillis(t.delayMillis()), context.getSelf(),
            new RoundTimerFired(epoch, t.round()));
      } else if (output instanceof Output.SetProposalTimer t) {
        context.scheduleOnce(Duration.ofMillis(t.delayMillis()), context.getSelf(),
            new ProposalTimerFired(epoch, t.round()));
      } else if (output instanceof Output.EpochEnded e) {
        beginNextEpoch(state);
        return;
      } else if (output instanceof Output.Commit c) {
        remember(c.block());
        listener.committed(c.block(), c.certificate());
      } else if (output instanceof Output.TransactionRejected r) {
        context.getLog().info("validator {} rejected transaction {}: {}", settings.self(),
            r.transactionId(), r.reason());
        listener.rejected(r.transactionId(), r.blockId(), r.reason());
      } else if (output instanceof Output.MessageRejected r) {
        context.getLog().debug("validator {} ignored a message from {}: {}", settings.self(),
            r.from(), r.reason());
      } else if (output instanceof Output.EquivocationDetected e) {
        context.getLog().warn("validator {} detected equivocation: {}", settings.self(),
            e.evidence());
      } else if (output instanceof Output.SafetyFault f) {
        context.getLog().error("validator {} SAFETY FAULT (more than f faulty validators): {}",
            settings.self(), f.reason());
      }
    }
  }

  private Deliver deliver(ConsensusMessage message, State state) {
    return new Deliver(core.self(), set.epoch(), state.height(), Codec.encode(message),
        context.getSelf());
  }

  private void remember(Block block) {
    recent.addLast(block);
    while (recent.size() > 2 * ENDING_LEAD_BLOCKS + 4) {
      recent.removeFirst();
    }
  }

  /** After the ending is in the journal: the next epoch's core, or retirement. */
  private void beginNextEpoch(State state) {
    EpochStarted started = state.epochs().get(state.epochs().size() - 1);
    List<Transaction> pending = core == null ? List.of() : core.localTransactions();
    ValidatorSet ended = set;
    set = next(set, started);
    recent.clear();
    this.started = false;
    int self = set.indexOf(ownKey);
    context.getLog().info("validator: epoch {} ended at height {}; epoch {} has {} validators{}",
        ended.epoch(), started.baseHeight(), set.epoch(), set.size(),
        self < 0 ? ", not this one: retired" : ", this one is " + self);
    if (self < 0) {
      core = null;
      network.leave();
      for (Transaction tx : pending) {
        listener.rejected(tx.id(), null, "the validator set changed and this node retired before"
            + " ordering it: submit it again to a node of epoch " + set.epoch());
      }
      return;
    }
    core = BftCore.create(settings.config(), set, self, settings.signer(), settings.verifier(),
        settings.transactions(), settings.clock(), EpochChanges.boundary(set, settings.verifier()));
    network.join(set, self, true);
    context.getSelf().tell(new Start(set.epoch()));
    if (!pending.isEmpty()) {
      // Pooled in the ended core, never ordered there: the next core orders them.
      context.getSelf().tell(new Submit(pending.stream()
          .map(tx -> new SubmittedTransaction(tx.id().bytes(), tx.body())).toList()));
    }
  }

  /** A validator still in an epoch that ended here gets its ending. */
  private void answerWithEnding(State state, Deliver deliver) {
    if (deliver.replyTo() == null || deliver.epoch() < 0
        || deliver.epoch() >= state.epochs().size()) {
      return;
    }
    EpochStarted after = state.epochs().get((int) deliver.epoch());
    long endingFrom = after.endingBlocks().isEmpty() ? after.baseHeight()
        : Codec.decodeBlock(after.endingBlocks().get(0)).value().height();
    if (deliver.tipHeight() + 1 >= endingFrom || history == null) {
      deliver.replyTo().tell(new EpochEnding(deliver.epoch(), after.endingBlocks(),
          after.endingCertificate()));
      return;
    }
    long now = System.currentTimeMillis();
    Long last = catchUpSent.get(deliver.replyTo());
    if (last != null && now - last < 1000) {
      return;
    }
    catchUpSent.put(deliver.replyTo(), now);
    long from = deliver.tipHeight() + 1;
    long to = Math.min(endingFrom - 1, from + Math.max(1, history.chunkBlocks()) - 1);
    long epoch = deliver.epoch();
    ActorRef<Command> peer = deliver.replyTo();
    history.committed(from, to).whenComplete((events, failure) -> {
      if (failure != null) {
        context.getSystem().log().warn("validator could not read its journal to catch up a peer"
            + " of epoch {}: {}", epoch, failure.toString());
        return;
      }
      long bytes = events.stream().mapToLong(e -> e.block().length).sum();
      if (to == endingFrom - 1 && bytes <= CATCH_UP_BYTES) {
        // The rest of the epoch fits one answer: the ending, led by the blocks the peer lacks.
        List<byte[]> blocks = new ArrayList<>();
        events.forEach(e -> blocks.add(e.block()));
        blocks.addAll(after.endingBlocks());
        peer.tell(new EpochEnding(epoch, List.copyOf(blocks), after.endingCertificate()));
      } else {
        catchUp(epoch, events).ifPresent(peer::tell);
      }
    });
  }

  /**
   * The blocks up to the last one its own certificate commits (a batch's top), so the receiver
   * can check the chunk with that certificate alone.
   */
  static Optional<EpochCatchUp> catchUp(long epoch, List<BlockCommitted> events) {
    List<byte[]> blocks = new ArrayList<>();
    List<byte[]> certificates = new ArrayList<>();
    int end = -1;
    long bytes = 0;
    for (BlockCommitted e : events) {
      bytes += e.block().length + e.certificate().length;
      if (end >= 0 && bytes > CATCH_UP_BYTES) {
        break;
      }
      blocks.add(e.block());
      certificates.add(e.certificate());
      var cert = Codec.decodeCommitCertificate(e.certificate());
      if (cert.ok() && Arrays.equals(cert.value().blockId().bytes(), e.blockId())) {
        end = blocks.size();
      }
    }
    return end < 0 ? Optional.empty() : Optional.of(new EpochCatchUp(epoch,
        List.copyOf(blocks.subList(0, end)), List.copyOf(certificates.subList(0, end))));
  }

  /**
   * Another validator's record of how this validator's epoch ended. Taken as committed only when
   * the certificate verifies under this epoch's set, certifies the last block, the new blocks
   * extend this validator's committed tip, and one of the blocks carries a valid change.
   */
  private Effect<Event, State> takeEnding(State state, EpochEnding ending) {
    if (core == null || !started || ending.epoch() != set.epoch() || ending.blocks() == null
        || ending.blocks().isEmpty() || ending.certificate() == null) {
      return Effect().none();
    }
    List<Block> blocks = new ArrayList<>();
    for (byte[] b : ending.blocks()) {
      var decoded = b == null ? null : Codec.decodeBlock(b);
      if (decoded == null || !decoded.ok()) {
        return refuseEnding("an undecodable block");
      }
      blocks.add(decoded.value());
    }
    var cert = Codec.decodeCommitCertificate(ending.certificate());
    if (!cert.ok()) {
      return refuseEnding("an undecodable certificate: " + cert.error());
    }
    var verdict = cert.value().verify(set, settings.verifier());
    Block base = blocks.get(blocks.size() - 1);
    if (verdict.rejected() || !cert.value().certifies(base)) {
      return refuseEnding("a certificate that does not commit its last block under epoch "
          + set.epoch() + "'s set" + (verdict.rejected() ? ": " + verdict.reason() : ""));
    }
    Digest parent = tipId(state);
    List<Block> fresh = new ArrayList<>();
    for (Block b : blocks) {
      if (b.height() > state.height()) {
        if (!b.parentId().equals(parent)) {
          return refuseEnding("blocks that do not extend this validator's tip at height "
              + state.height() + " (it is further behind than an ending covers: chain sync"
              + " across epochs is not built)");
        }
        fresh.add(b);
        parent = b.id();
      }
    }
    Optional<Block> change = blocks.stream()
        .filter(b -> EpochChanges.find(b, set, settings.verifier()).isPresent()).findFirst();
    if (change.isEmpty() || fresh.isEmpty()) {
      return refuseEnding(change.isEmpty() ? "no validator-set change" : "nothing new");
    }
    List<Event> events = new ArrayList<>();
    for (Block b : fresh) {
      events.add(committed(b, cert.value()));
    }
    events.add(epochStarted(base, change.get(), cert.value(), fresh));
    context.getLog().info("validator {} takes epoch {}'s ending from a peer: {} blocks up to "
        + "height {}", core.self(), set.epoch(), fresh.size(), base.height());
    return Effect().persist(events).thenRun(s -> {
      for (Block b : fresh) {
        listener.committed(b, cert.value());
      }
      beginNextEpoch(s);
    });
  }

  /**
   * Committed blocks of this validator's epoch, which ended elsewhere, below its ending. Taken
   * when they extend this validator's tip and the last block's certificate verifies under this
   * epoch's set and commits it (the others are its ancestors); the core restarts from there, and
   * its next messages bring the next chunk or the ending.
   */
  private Effect<Event, State> takeCatchUp(State state, EpochCatchUp up) {
    if (core == null || !started || up.epoch() != set.epoch() || up.blocks() == null
        || up.certificates() == null || up.blocks().isEmpty()
        || up.blocks().size() != up.certificates().size()) {
      return Effect().none();
    }
    List<Block> blocks = new ArrayList<>();
    List<CommitCertificate> certificates = new ArrayList<>();
    for (int i = 0; i < up.blocks().size(); i++) {
      var block = up.blocks().get(i) == null ? null : Codec.decodeBlock(up.blocks().get(i));
      var cert = up.certificates().get(i) == null ? null
          : Codec.decodeCommitCertificate(up.certificates().get(i));
      if (block == null || !block.ok() || cert == null || !cert.ok()) {
        return refuseEnding("an undecodable catch-up block or certificate");
      }
      blocks.add(block.value());
      certificates.add(cert.value());
    }
    Block last = blocks.get(blocks.size() - 1);
    CommitCertificate lastCert = certificates.get(certificates.size() - 1);
    var verdict = lastCert.verify(set, settings.verifier());
    if (verdict.rejected() || !lastCert.certifies(last)) {
      return refuseEnding("a catch-up whose last certificate does not commit its last block under"
          + " epoch " + set.epoch() + "'s set" + (verdict.rejected() ? ": " + verdict.reason() : ""));
    }
    Digest parent = tipId(state);
    List<Event> events = new ArrayList<>();
    List<Block> fresh = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      if (b.height() <= state.height()) {
        continue;
      }
      if (!b.parentId().equals(parent)) {
        return refuseEnding("catch-up blocks that do not extend this validator's tip at height "
            + state.height());
      }
      if (EpochChanges.find(b, set, settings.verifier()).isPresent()) {
        // The ending carries the change, with the certificate of the epoch's base.
        return refuseEnding("a catch-up that reaches the change");
      }
      parent = b.id();
      fresh.add(b);
      // The last block's certificate commits all of them (the others' are the peer's word).
      events.add(committed(b, lastCert));
    }
    if (fresh.isEmpty()) {
      return Effect().none();
    }
    context.getLog().info("validator {} of ended epoch {} catches up {} blocks to height {}",
        core.self(), set.epoch(), fresh.size(), last.height());
    return Effect().persist(events).thenRun(s -> {
      for (int i = 0; i < fresh.size(); i++) {
        remember(fresh.get(i));
        listener.committed(fresh.get(i), lastCert);
      }
      // The core's tip moved under it: restart it there, with its safety state.
      core = BftCore.restore(settings.config(), set, core.self(), settings.signer(),
          settings.verifier(), settings.transactions(), core.safety(), CommittedTip.of(last),
          settings.clock(), EpochChanges.boundary(set, settings.verifier()));
      started = false;
      context.getSelf().tell(new Start(set.epoch()));
    });
  }

  private Effect<Event, State> refuseEnding(String reason) {
    context.getLog().warn("validator of epoch {} ignored an epoch ending with {}", set.epoch(),
        reason);
    return Effect().none();
  }

  private Status status(State state) {
    long round = core == null ? 0 : core.round();
    long voted = core == null ? 0 : core.safety().lastVotedRound();
    int pooled = core == null ? 0 : core.pooledTransactions();
    byte[] tipId = state.tipId() == null ? new byte[0] : state.tipId().clone();
    return new Status(core == null ? -1 : core.self(), state.height(), tipId, round, voted, pooled,
        set == null ? 0 : set.epoch());
  }
}
