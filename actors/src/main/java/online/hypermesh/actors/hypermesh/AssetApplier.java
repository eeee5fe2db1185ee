package online.hypermesh.actors.hypermesh;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Function;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.serialization.KryoMessage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Delivers the chain's committed asset registrations to their {@link AssetEntity}s, one at a time
 * in chain order, each until the entity acknowledges it (a timeout or a moving shard is retried
 * with backoff). One per node, fed by the chain keeper as it applies blocks (and again for every
 * block when the keeper replays its journal after a restart): the entities keep the transaction
 * id, so a delivery they already applied is acknowledged without a second event. Nothing is
 * persisted here: what was not acknowledged before a crash is delivered again by the replay.
 */
public final class AssetApplier {

  public sealed interface Command extends KryoMessage {}

  /** A committed registration (from {@code AssetRules}), in chain order. */
  public record Apply(Asset asset, long height, int index, String transactionId) implements Command {}

  /** The entity's answer for the head of the queue; {@code failure} "" when it answered at all. */
  public record Answered(String transactionId, AssetResponse response, String failure) implements Command {}

  public record Retry() implements Command {}

  private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Function<String, RecipientRef<AssetEntity.Command>> entities;
  private final Duration askTimeout;
  private final ArrayDeque<Apply> queue = new ArrayDeque<>();
  private boolean inFlight;
  private Duration backoff = MIN_BACKOFF;

  /** @param entities resolves an asset id to its entity (a sharding ref in the node) */
  public static Behavior<Command> create(Function<String, RecipientRef<AssetEntity.Command>> entities,
      Duration askTimeout) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new AssetApplier(context, timers, entities, askTimeout).behavior()));
  }

  private AssetApplier(ActorContext<Command> context, TimerScheduler<Command> timers,
      Function<String, RecipientRef<AssetEntity.Command>> entities, Duration askTimeout) {
    this.context = context;
    this.timers = timers;
    this.entities = entities;
    this.askTimeout = askTimeout;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Apply.class, apply -> {
          queue.addLast(apply);
          next();
          return Behaviors.same();
        })
        .onMessage(Answered.class, this::answered)
        .onMessage(Retry.class, retry -> {
          inFlight = false;
          next();
          return Behaviors.same();
        })
        .build();
  }

  private void next() {
    if (inFlight || queue.isEmpty()) {
      return;
    }
    Apply head = queue.peekFirst();
    inFlight = true;
    RecipientRef<AssetEntity.Command> entity;
    try {
      entity = entities.apply(head.asset().assetId());
    } catch (RuntimeException e) {
      // The shard region may not be started yet while the keeper replays at node start.
      context.getSelf().tell(new Answered(head.transactionId(), null, e.toString()));
      return;
    }
    context.ask(AssetResponse.class, entity, askTimeout,
        replyTo -> new AssetEntity.ApplyCommitted(head.asset(), head.height(), head.index(),
            head.transactionId(), replyTo),
        (response, failure) -> new Answered(head.transactionId(), response,
            failure == null ? "" : failure.toString()));
  }

  private Behavior<Command> answered(Answered answered) {
    Apply head = queue.peekFirst();
    if (head == null || !head.transactionId().equals(answered.transactionId())) {
      return Behaviors.same();
    }
    boolean retry = !answered.failure().isEmpty()
        || (answered.response() instanceof AssetResponse.Rejected rejected
            && rejected.reason() == AssetResponse.Reason.UNAVAILABLE);
    if (retry) {
      context.getLog().debug("asset {} from transaction {} not applied yet ({}); retrying in {}",
          head.asset().assetId(), head.transactionId(),
          answered.failure().isEmpty() ? answered.response() : answered.failure(), backoff);
      timers.startSingleTimer(new Retry(), backoff);
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      return Behaviors.same();
    }
    if (!(answered.response() instanceof AssetResponse.Registered)) {
      // Final: the entity says the chain and it disagree (logged there); retrying changes nothing.
      context.getLog().error("asset {} from transaction {} at height {} was not applied: {}",
          head.asset().assetId(), head.transactionId(), head.height(), answered.response());
    }
    queue.removeFirst();
    backoff = MIN_BACKOFF;
    inFlight = false;
    next();
    return Behaviors.same();
  }
}
