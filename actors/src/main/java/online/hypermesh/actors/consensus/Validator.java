package online.hypermesh.actors.consensus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class Validator
    extends EventSourcedBehavior<Validator.Command, Validator.Event, Validator.State> {

  public static final String TYPE = "Validator";

  public sealed interface Command extends KryoMessage {}

  /** An encoded {@link ConsensusMessage} from validator {@code from} (its claim; signatures decide). */
  public record Deliver(int from, byte[] message) implements Command {}

  /** Transactions for this validator's pool; ids are 32-byte digests chosen by the sender. */
  public record Submit(List<SubmittedTransaction> transactions) implements Command {}

  public record SubmittedTransaction(byte[] id, byte[] body) implements KryoMessage {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Sent to itself once recovery is done: the core starts only then. */
  public record Start() implements Command {}

  public record RoundTimerFired(long round) implements Command {}

  public record ProposalTimerFired(long round) implements Command {}

  /** {@code lastBlockId} is empty at height 0 (genesis). */
  public record Status(int validator, long height, byte[] lastBlockId, long round,
      long lastVotedRound, int pooledTransactions) implements KryoMessage {}

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
   * What survives a crash, also the snapshot: the encoded safety state (null before the first
   * signature) and the committed tip with its time (null id and hash at genesis).
   */
  public record State(byte[] safetyState, long height, long round, byte[] tipId,
      long tickCount, byte[] tickHash, long timestampMillis) implements KryoMessage {

    static final State EMPTY = new State(null, 0, 0, null, 0, null, 0);
  }

  private final ActorContext<Command> context;
  private final ValidatorSettings settings;
  private final ValidatorNetwork network;
  private final CommitListener listener;
  private BftCore core;
  private boolean started;

  public static Behavior<Command> create(ValidatorSettings settings,
      ValidatorNetwork.Factory network, CommitListener listener) {
    return Behaviors.setup(context ->
        new Validator(context, settings, network.open(context), listener));
  }

  /** One journal per chain and validator index. */
  public static PersistenceId persistenceId(Digest chainId, int index) {
    return PersistenceId.of(TYPE, chainId.hex() + "-" + index);
  }

  private Validator(ActorContext<Command> context, ValidatorSettings settings,
      ValidatorNetwork network, CommitListener listener) {
    super(persistenceId(settings.set().chainId(), settings.self()));
    this.context = context;
    this.settings = settings;
    this.network = network;
    this.listener = listener;
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
    SafetyState safety = SafetyState.initial(settings.set());
    if (state.safetyState() != null) {
      var decoded = Codec.decodeSafetyState(state.safetyState());
      if (!decoded.ok()) {
        // Starting without it could sign twice in one round: refuse to run instead.
        throw new IllegalStateException("journal of validator " + settings.self()
            + " holds an unreadable safety state: " + decoded.error());
      }
      safety = decoded.value();
    }
    CommittedTip tip = state.tipId() == null
        ? CommittedTip.genesis(settings.set())
        : new CommittedTip(Digest.of(state.tipId()), state.round(), state.height(),
            new BlockTime(state.tickCount(), Digest.of(state.tickHash()), state.timestampMillis()));
    core = BftCore.restore(settings.config(), settings.set(), settings.self(), settings.signer(),
        settings.verifier(), settings.transactions(), safety, tip, settings.clock());
    context.getLog().info("validator {} recovered at height {}, last voted round {}",
        settings.self(), tip.height(), safety.lastVotedRound());
    started = false;
    context.getSelf().tell(new Start());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(GetStatus.class, (state, get) -> Effect().none().thenRun(s ->
            get.replyTo().tell(status(state))))
        .onCommand(Start.class, (state, start) -> {
          if (started) {
            // Starting twice would re-arm timers and re-propose; only recovery sends Start.
            return Effect().none();
          }
          started = true;
          return carryOut(core.start()).thenUnstashAll();
        })
        .onCommand(Deliver.class, this::deliver)
        .onCommand(Submit.class, this::submit)
        .onCommand(RoundTimerFired.class,
            (state, timer) -> handle(new Input.TimerExpired(timer.round())))
        .onCommand(ProposalTimerFired.class,
            (state, timer) -> handle(new Input.ProposalDue(timer.round())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(SafetyStateChanged.class, (state, event) ->
            new State(event.safetyState(), state.height(), state.round(), state.tipId(),
                state.tickCount(), state.tickHash(), state.timestampMillis()))
        .onEvent(BlockCommitted.class, (state, event) ->
            new State(state.safetyState(), event.height(), event.round(), event.blockId(),
                event.tickCount(), event.tickHash(), event.timestampMillis()))
        .build();
  }

  private Effect<Event, State> deliver(State state, Deliver deliver) {
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
        BlockTime time = c.block().time();
        events.add(new BlockCommitted(c.block().height(), c.block().round(),
            c.block().id().bytes(), Codec.encode(c.block()), Codec.encode(c.certificate()),
            time.tickCount(), time.tickHash().bytes(), time.timestampMillis()));
      }
    }
    EffectBuilder<Event, State> effect = events.isEmpty() ? Effect().none() : Effect().persist(events);
    return effect.thenRun(s -> perform(step.outputs()));
  }

  private void perform(List<Output> outputs) {
    for (Output output : outputs) {
      if (output instanceof Output.Send s) {
        network.send(s.to(), Codec.encode(s.message()));
      } else if (output instanceof Output.Broadcast b) {
        network.broadcast(Codec.encode(b.message()));
      } else if (output instanceof Output.SetTimer t) {
        context.scheduleOnce(Duration.ofMillis(t.delayMillis()), context.getSelf(),
            new RoundTimerFired(t.round()));
      } else if (output instanceof Output.SetProposalTimer t) {
        context.scheduleOnce(Duration.ofMillis(t.delayMillis()), context.getSelf(),
            new ProposalTimerFired(t.round()));
      } else if (output instanceof Output.Commit c) {
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

  private Status status(State state) {
    long round = core == null ? 0 : core.round();
    long voted = core == null ? 0 : core.safety().lastVotedRound();
    int pooled = core == null ? 0 : core.pooledTransactions();
    byte[] tipId = state.tipId() == null ? new byte[0] : state.tipId().clone();
    return new Status(settings.self(), state.height(), tipId, round, voted, pooled);
  }
}
