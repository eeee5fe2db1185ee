package online.hypermesh.actors.hypermesh;

import online.hypermesh.protocol.serialization.KryoMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ids of one owner's assets, one entity per owner. Adding is idempotent: the asset entity adds its id
 * here before it persists its own registration, so a crash in between leaves an id that {@link AssetService}
 * filters out, never an asset that cannot be listed.
 */
public final class OwnerIndex extends EventSourcedBehavior<OwnerIndex.Command, OwnerIndex.Event, OwnerIndex.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "AssetOwner");

  public sealed interface Command extends KryoMessage {
  }

  public record Add(String assetId, ActorRef<Added> replyTo) implements Command {
  }

  public record ListIds(ActorRef<Ids> replyTo) implements Command {
  }

  public record Added(String assetId) implements KryoMessage {
  }

  public record Ids(List<String> assetIds) implements KryoMessage {
  }

  public sealed interface Event extends KryoMessage {
  }

  public record AssetAdded(String assetId) implements Event {
  }

  /** Sorted ids; kept as a list so snapshots stay a plain record. */
  public record State(List<String> assetIds) implements KryoMessage {
    static final State EMPTY = new State(List.of());

    boolean contains(String assetId) {
      return Collections.binarySearch(assetIds, assetId) >= 0;
    }

    State with(String assetId) {
      List<String> ids = new ArrayList<>(assetIds);
      int at = Collections.binarySearch(ids, assetId);
      if (at < 0) {
        ids.add(-at - 1, assetId);
      }
      return new State(Collections.unmodifiableList(ids));
    }
  }

  public static Behavior<Command> create(String owner) {
    return new OwnerIndex(PersistenceId.of(TYPE_KEY.name(), owner));
  }

  private OwnerIndex(PersistenceId persistenceId) {
    super(persistenceId);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Add.class, (state, add) -> state.contains(add.assetId())
            ? Effect().reply(add.replyTo(), new Added(add.assetId()))
            : Effect().persist(new AssetAdded(add.assetId())).thenReply(add.replyTo(), s -> new Added(add.assetId())))
        .onCommand(ListIds.class, (state, list) -> Effect().reply(list.replyTo(), new Ids(state.assetIds())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(AssetAdded.class, (state, added) -> state.with(added.assetId()))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Owners with many assets would otherwise replay every addition on each start.
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
