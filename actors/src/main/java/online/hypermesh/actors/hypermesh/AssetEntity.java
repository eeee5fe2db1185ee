package online.hypermesh.actors.hypermesh;

import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetValidation;
import online.hypermesh.protocol.serialization.KryoMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/**
 * One HyperMesh asset, sharded by asset id and event-sourced in Cassandra. The entity is the authority on
 * its id: a second registration is refused however it arrives.
 *
 * <p>Two ways in. With consensus on, the chain decides ({@code AssetRules} in protocol) and the entity applies
 * the committed registration ({@link ApplyCommitted}) exactly once: it keeps the transaction id, so the same
 * commit delivered again (by every validator node's applier, by the serving node, by a keeper replaying its
 * journal after a restart) is acknowledged without a second event. With consensus off, {@link Register} is the
 * development mode: the entity validates and registers directly.
 */
public final class AssetEntity extends EventSourcedBehavior<AssetEntity.Command, AssetEntity.Event, AssetEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Asset");

  public sealed interface Command extends KryoMessage {
  }

  public record Register(AssetRequest.Register request, ActorRef<AssetResponse> replyTo) implements Command {
  }

  public record Get(ActorRef<AssetResponse> replyTo) implements Command {
  }

  /** The owner index holds the id; now the registration itself may be persisted. */
  public record IndexAcked(Asset asset, ActorRef<AssetResponse> replyTo) implements Command {
  }

  public record IndexFailed(String assetId, String reason, ActorRef<AssetResponse> replyTo) implements Command {
  }

  /** A registration the chain committed (outcome of {@code AssetRules}); replies Registered once applied. */
  public record ApplyCommitted(Asset asset, long height, int index, String transactionId,
                               ActorRef<AssetResponse> replyTo) implements Command {
  }

  /** The owner index holds the id of a committed registration; now it may be persisted. */
  public record CommittedIndexAcked(ApplyCommitted apply) implements Command {
  }

  public sealed interface Event extends KryoMessage {
  }

  public record Registered(Asset asset) implements Event {
  }

  /** Applied from the chain: the block height, position in the block and transaction that committed it. */
  public record RegisteredOnChain(Asset asset, long height, int index, String transactionId) implements Event {
  }

  /** {@code asset} is null until registered; {@code height} -1 and {@code transactionId} "" unless from the chain. */
  public record State(Asset asset, long height, String transactionId) implements KryoMessage {
    static final State EMPTY = new State(null, -1, "");

    boolean registered() {
      return asset != null;
    }
  }

  private final String assetId;
  private final ActorContext<Command> context;
  private final Function<String, RecipientRef<OwnerIndex.Command>> ownerIndex;
  private final Duration askTimeout;
  private final Clock clock;

  /**
   * @param ownerIndex resolves an owner to its index entity (a sharding ref in the cluster, a probe in tests)
   */
  public static Behavior<Command> create(String assetId, Function<String, RecipientRef<OwnerIndex.Command>> ownerIndex,
                                         Duration askTimeout, Clock clock) {
    return Behaviors.setup(context -> new AssetEntity(assetId, context, ownerIndex, askTimeout, clock));
  }

  private AssetEntity(String assetId, ActorContext<Command> context, Function<String, RecipientRef<OwnerIndex.Command>> ownerIndex,
                      Duration askTimeout, Clock clock) {
    super(PersistenceId.of(TYPE_KEY.name(), assetId));
    this.assetId = assetId;
    this.context = context;
    this.ownerIndex = ownerIndex;
    this.askTimeout = askTimeout;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(IndexAcked.class, this::onIndexAcked)
        .onCommand(IndexFailed.class, (state, failed) -> Effect().reply(failed.replyTo(),
            new AssetResponse.Rejected(AssetResponse.Reason.UNAVAILABLE,
                "asset " + failed.assetId() + " not registered: owner index did not answer (" + failed.reason() + "); retry")))
        .onCommand(ApplyCommitted.class, this::onApplyCommitted)
        .onCommand(CommittedIndexAcked.class, this::onCommittedIndexAcked)
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.registered()
            ? new AssetResponse.Found(state.asset(), state.height(), state.transactionId())
            : new AssetResponse.Rejected(AssetResponse.Reason.NOT_FOUND, "no asset with id " + assetId)))
        .build();
  }

  private Effect<Event, State> onRegister(State state, Register register) {
    AssetRequest.Register request = register.request();
    if (state.registered()) {
      return Effect().reply(register.replyTo(), duplicate());
    }
    if (!assetId.equals(request.assetId())) {
      return Effect().reply(register.replyTo(), new AssetResponse.Rejected(AssetResponse.Reason.INVALID,
          "request for asset " + request.assetId() + " reached entity " + assetId));
    }
    AssetValidation.Result result = AssetValidation.validate(request, clock.millis());
    if (!result.valid()) {
      return Effect().reply(register.replyTo(), new AssetResponse.Rejected(AssetResponse.Reason.INVALID, result.problem()));
    }
    Asset asset = result.asset();
    context.ask(OwnerIndex.Added.class, ownerIndex.apply(asset.owner()), askTimeout,
        replyTo -> new OwnerIndex.Add(asset.assetId(), replyTo),
        (added, failure) -> failure == null
            ? new IndexAcked(asset, register.replyTo())
            : new IndexFailed(asset.assetId(), failure.getMessage(), register.replyTo()));
    return Effect().none();
  }

  private Effect<Event, State> onIndexAcked(State state, IndexAcked acked) {
    // A concurrent registration may have won while the index was being asked.
    if (state.registered()) {
      return Effect().reply(acked.replyTo(), duplicate());
    }
    return Effect().persist(new Registered(acked.asset()))
        .thenReply(acked.replyTo(), s -> new AssetResponse.Registered(s.asset()));
  }

  private Effect<Event, State> onApplyCommitted(State state, ApplyCommitted apply) {
    if (state.registered()) {
      return Effect().reply(apply.replyTo(), appliedOrConflict(state, apply));
    }
    if (!assetId.equals(apply.asset().assetId())) {
      return Effect().reply(apply.replyTo(), new AssetResponse.Rejected(AssetResponse.Reason.INVALID,
          "committed registration of " + apply.asset().assetId() + " reached entity " + assetId));
    }
    context.ask(OwnerIndex.Added.class, ownerIndex.apply(apply.asset().owner()), askTimeout,
        replyTo -> new OwnerIndex.Add(assetId, replyTo),
        (added, failure) -> failure == null
            ? new CommittedIndexAcked(apply)
            : new IndexFailed(assetId, failure.getMessage(), apply.replyTo()));
    return Effect().none();
  }

  private Effect<Event, State> onCommittedIndexAcked(State state, CommittedIndexAcked acked) {
    ApplyCommitted apply = acked.apply();
    // The same commit may be delivered twice concurrently: the second finds it applied.
    if (state.registered()) {
      return Effect().reply(apply.replyTo(), appliedOrConflict(state, apply));
    }
    return Effect().persist(new RegisteredOnChain(apply.asset(), apply.height(), apply.index(), apply.transactionId()))
        .thenReply(apply.replyTo(), s -> new AssetResponse.Registered(s.asset(), s.height(), s.transactionId()));
  }

  /** Already applied: the same transaction is acknowledged; another one means the entity and the chain disagree. */
  private AssetResponse appliedOrConflict(State state, ApplyCommitted apply) {
    if (apply.transactionId().equals(state.transactionId())) {
      return new AssetResponse.Registered(state.asset(), state.height(), state.transactionId());
    }
    // Only an entity registered directly (consensus off) and then given a chain on the same data gets here.
    context.getLog().error("asset {}: the chain registers it by transaction {} at height {}, but it is already "
            + "registered {}", assetId, apply.transactionId(), apply.height(),
        state.height() < 0 ? "without a chain" : "by transaction " + state.transactionId());
    return duplicate();
  }

  private AssetResponse.Rejected duplicate() {
    return new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE, "asset id " + assetId + " is already registered");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, registered) -> new State(registered.asset(), -1, ""))
        .onEvent(RegisteredOnChain.class, (state, registered) ->
            new State(registered.asset(), registered.height(), registered.transactionId()))
        .build();
  }
}
