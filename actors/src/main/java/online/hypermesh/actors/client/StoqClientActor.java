package online.hypermesh.actors.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoCodecException;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqConnectionClose;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Holds one STOQ connection to a node and lets local actors make asset-API requests over it:
 * {@link Send} an {@link AssetRequest}, get a {@link Reply} ({@link Reply.Ok} with the {@link
 * AssetResponse}, or {@link Reply.Failed} with a {@link StoqError} code and a reason).
 *
 * <p>States:
 *
 * <ul>
 *   <li><b>connecting</b>: a connection attempt runs; requests wait in the outbox.
 *   <li><b>connected</b>: requests go straight out (one QUIC stream each); the outbox is drained
 *       in order on entry. When the connection ends, every request in flight is answered
 *       UNAVAILABLE (requests are not idempotent in general, so nothing is resent silently) and
 *       the actor backs off.
 *   <li><b>backing off</b>: waits (exponential, bounded, jittered: {@link StoqClientOptions})
 *       before the next attempt; requests wait in the outbox.
 * </ul>
 *
 * <p>The outbox holds at most {@link StoqClientOptions#outboxCapacity()} requests; a request
 * beyond it is answered at once with UNAVAILABLE "outbox full". Every request has a deadline
 * ({@link StoqClientOptions#requestTimeout()}, counted from {@code Send}, outbox time included)
 * after which it is answered TIMEOUT and a late answer is dropped. {@link Stop} (or stopping the
 * actor any other way) answers everything pending with UNAVAILABLE and closes the connection.
 *
 * <p>All transport work is asynchronous (stages piped to the actor); nothing blocks the actor.
 */
public final class StoqClientActor {

  /** What the actor accepts. */
  public sealed interface Command {}

  /** Sends {@code request}; exactly one {@link Reply} goes to {@code replyTo}. */
  public record Send(AssetRequest request, ActorRef<Reply> replyTo) implements Command {
    public Send {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Graceful stop: pending requests are answered UNAVAILABLE, the connection is closed. */
  public enum Stop implements Command {
    INSTANCE
  }

  /** The answer to one {@link Send}. */
  public sealed interface Reply {

    /** The node's answer (which may itself be a refusal, {@link AssetResponse.Rejected}). */
    record Ok(AssetResponse response) implements Reply {}

    /** No answer from the node: a transport code (TIMEOUT, UNAVAILABLE, ...) and why. */
    record Failed(StoqError code, String reason) implements Reply {}
  }

  // Internal messages (results piped back to the actor, timers).
  private record Connected(StoqClient client) implements Command {}

  private record ConnectFailed(Throwable cause) implements Command {}

  private record ConnectionLost(StoqClient client, String why) implements Command {}

  private enum RetryConnect implements Command {
    INSTANCE
  }

  private record Answer(long id, byte[] payload, Throwable failure) implements Command {}

  private record Deadline(long id) implements Command {}

  /** Dev-mode connection ({@link StoqConnector#development}) with default options. */
  public static Behavior<Command> create(
      String host, int port, StoqSettings settings, int outboxCapacity) {
    return create(
        StoqConnector.development(host, port, settings),
        StoqClientOptions.defaults(outboxCapacity).withRequestTimeout(settings.requestTimeout()));
  }

  public static Behavior<Command> create(StoqConnector connector, StoqClientOptions options) {
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(options, "options");
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new StoqClientActor(context, timers, connector, options).connect()));
  }

  private static final KryoCodec CODEC = KryoCodec.of(new ProtocolRegistrar());
  private static final String RETRY_TIMER = "reconnect";

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final StoqConnector connector;
  private final StoqClientOptions options;

  /** Requests waiting for a connection, oldest first. */
  private final ArrayDeque<Pending> outbox = new ArrayDeque<>();
  /** Requests sent on the current connection, awaiting their answer. */
  private final Map<Long, Pending> inFlight = new LinkedHashMap<>();

  private long nextId;
  private int failedAttempts;
  private StoqClient client;
  private CompletionStage<StoqClient> pendingConnect;

  private record Pending(long id, byte[] payload, ActorRef<Reply> replyTo) {}

  private StoqClientActor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      StoqConnector connector,
      StoqClientOptions options) {
    this.context = context;
    this.timers = timers;
    this.connector = connector;
    this.options = options;
  }

  // ---- states ----

  private Behavior<Command> connect() {
    CompletionStage<StoqClient> attempt;
    try {
      attempt = Objects.requireNonNull(connector.connect(), "connector returned null");
    } catch (RuntimeException e) {
      context.getSelf().tell(new ConnectFailed(e));
      return connecting();
    }
    pendingConnect = attempt;
    context.pipeToSelf(
        attempt, (connected, failure) ->
            failure == null ? new Connected(connected) : new ConnectFailed(failure));
    return connecting();
  }

  private Behavior<Command> connecting() {
    return withCommon(
        Behaviors.receive(Command.class)
            .onMessage(Send.class, this::enqueue)
            .onMessage(Connected.class, this::onConnected)
            .onMessage(ConnectFailed.class, this::onConnectFailed));
  }

  private Behavior<Command> connected() {
    return withCommon(
        Behaviors.receive(Command.class)
            .onMessage(Send.class, this::sendConnected)
            .onMessage(ConnectionLost.class, this::onConnectionLost));
  }

  private Behavior<Command> backingOff() {
    return withCommon(
        Behaviors.receive(Command.class)
            .onMessage(Send.class, this::enqueue)
            .onMessageEquals(RetryConnect.INSTANCE, this::connect));
  }

  /**
   * Adds what every state handles after the state's own handlers (first match wins): answers,
   * deadlines, stop, and stale results of an earlier connection, which are dropped.
   */
  private Behavior<Command> withCommon(BehaviorBuilder<Command> state) {
    return state
        .onMessage(Answer.class, this::onAnswer)
        .onMessage(Deadline.class, this::onDeadline)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessage(Connected.class, stale -> {
          stale.client().closeAsync(); // cannot happen with one attempt at a time; be safe
          return Behaviors.same();
        })
        .onMessage(ConnectionLost.class, stale -> Behaviors.same())
        .onMessage(ConnectFailed.class, stale -> Behaviors.same())
        .onMessageEquals(RetryConnect.INSTANCE, () -> Behaviors.same())
        .onSignal(PostStop.class, signal -> {
          shutdown("client stopped");
          return Behaviors.same();
        })
        .build();
  }

  // ---- connection lifecycle ----

  private Behavior<Command> onConnected(Connected connected) {
    pendingConnect = null;
    client = connected.client();
    failedAttempts = 0;
    StoqClient current = client;
    context.getLog().debug("STOQ connected to {}", current.remoteAddress());
    context.pipeToSelf(
        current.closeFuture(),
        (close, failure) -> new ConnectionLost(current, describe(close, failure)));
    while (!outbox.isEmpty()) {
      dispatch(outbox.poll());
    }
    return connected();
  }

  private Behavior<Command> onConnectFailed(ConnectFailed failed) {
    pendingConnect = null;
    Throwable cause = unwrap(failed.cause());
    return backOff("cannot connect: " + cause.getMessage());
  }

  private Behavior<Command> onConnectionLost(ConnectionLost lost) {
    if (lost.client() != client) {
      return Behaviors.same();
    }
    return lose("connection lost: " + lost.why());
  }

  /** The current connection is gone: fail what was in flight, then back off. */
  private Behavior<Command> lose(String why) {
    StoqClient gone = client;
    client = null;
    if (gone != null) {
      gone.closeAsync();
    }
    failAll(inFlight.values(), StoqError.UNAVAILABLE, why);
    inFlight.clear();
    return backOff(why);
  }

  private Behavior<Command> backOff(String why) {
    Duration delay = options.backoff(failedAttempts, ThreadLocalRandom.current().nextDouble());
    failedAttempts++;
    context.getLog().debug("STOQ {}; reconnecting in {} ms", why, delay.toMillis());
    timers.startSingleTimer(RETRY_TIMER, RetryConnect.INSTANCE, delay);
    return backingOff();
  }

  // ---- requests ----

  private Behavior<Command> enqueue(Send send) {
    Pending pending = accept(send);
    if (pending == null) {
      return Behaviors.same();
    }
    if (outbox.size() >= options.outboxCapacity()) {
      timers.cancel(pending.id());
      send.replyTo().tell(new Reply.Failed(StoqError.UNAVAILABLE, "outbox full"));
      return Behaviors.same();
    }
    outbox.add(pending);
    return Behaviors.same();
  }

  private Behavior<Command> sendConnected(Send send) {
    if (client == null || !client.isConnected()) {
      // Lost before closeFuture told us: queue this one instead of sending it into the void.
      Behavior<Command> next = lose("connection lost");
      enqueue(send);
      return next;
    }
    Pending pending = accept(send);
    if (pending != null) {
      dispatch(pending);
    }
    return Behaviors.same();
  }

  /** Encodes and starts the request's deadline; null (and answered) if it cannot be encoded. */
  private Pending accept(Send send) {
    byte[] payload;
    try {
      payload = CODEC.encode(send.request());
    } catch (KryoCodecException e) {
      send.replyTo().tell(new Reply.Failed(StoqError.BAD_REQUEST, e.getMessage()));
      return null;
    }
    long id = nextId++;
    timers.startSingleTimer(id, new Deadline(id), options.requestTimeout());
    return new Pending(id, payload, send.replyTo());
  }

  private void dispatch(Pending pending) {
    inFlight.put(pending.id(), pending);
    CompletionStage<byte[]> answer;
    try {
      answer = client.request(pending.payload());
    } catch (RuntimeException e) {
      context.getSelf().tell(new Answer(pending.id(), null, e));
      return;
    }
    context.pipeToSelf(answer, (bytes, failure) -> new Answer(pending.id(), bytes, failure));
  }

  private Behavior<Command> onAnswer(Answer answer) {
    Pending pending = inFlight.remove(answer.id());
    if (pending == null) {
      return Behaviors.same(); // timed out, or failed when its connection was lost
    }
    timers.cancel(pending.id());
    pending.replyTo().tell(toReply(answer));
    return Behaviors.same();
  }

  private Behavior<Command> onDeadline(Deadline deadline) {
    String why = "no reply within " + options.requestTimeout().toMillis() + " ms";
    Pending pending = inFlight.remove(deadline.id());
    if (pending == null) {
      for (Iterator<Pending> it = outbox.iterator(); it.hasNext(); ) {
        Pending waiting = it.next();
        if (waiting.id() == deadline.id()) {
          it.remove();
          pending = waiting;
          why = why + " (no connection to the node)";
          break;
        }
      }
    }
    if (pending != null) {
      pending.replyTo().tell(new Reply.Failed(StoqError.TIMEOUT, why));
    }
    return Behaviors.same();
  }

  private static Reply toReply(Answer answer) {
    if (answer.failure() != null) {
      Throwable cause = unwrap(answer.failure());
      if (cause instanceof StoqException stoq) {
        return new Reply.Failed(stoq.error(), String.valueOf(stoq.getMessage()));
      }
      return new Reply.Failed(StoqError.UNAVAILABLE, String.valueOf(cause));
    }
    Object decoded;
    try {
      decoded = CODEC.decode(answer.payload());
    } catch (KryoCodecException e) {
      return new Reply.Failed(StoqError.MALFORMED_FRAME, "undecodable reply: " + e.getMessage());
    }
    if (decoded instanceof AssetResponse response) {
      return new Reply.Ok(response);
    }
    return new Reply.Failed(
        StoqError.MALFORMED_FRAME,
        "reply is a " + decoded.getClass().getSimpleName() + ", not an asset response");
  }

  // ---- stopping ----

  private Behavior<Command> onStop() {
    shutdown("client stopped");
    return Behaviors.stopped();
  }

  /** Answers everything pending with UNAVAILABLE and closes the connection (idempotent). */
  private void shutdown(String why) {
    failAll(inFlight.values(), StoqError.UNAVAILABLE, why);
    inFlight.clear();
    failAll(outbox, StoqError.UNAVAILABLE, why);
    outbox.clear();
    if (client != null) {
      client.closeAsync();
      client = null;
    }
    if (pendingConnect != null) {
      // Closes the connection if the attempt still succeeds after we are gone.
      pendingConnect.thenAccept(StoqClient::closeAsync);
      pendingConnect = null;
    }
  }

  private static void failAll(Iterable<Pending> pending, StoqError code, String why) {
    for (Pending p : pending) {
      p.replyTo().tell(new Reply.Failed(code, why));
    }
  }

  private static String describe(StoqConnectionClose close, Throwable failure) {
    if (failure != null) {
      return String.valueOf(unwrap(failure));
    }
    if (close == null) {
      return "closed";
    }
    if (close.idleTimeout()) {
      return "idle timeout";
    }
    return (close.byPeer() ? "closed by the node" : "closed")
        + (close.reason() == null || close.reason().isEmpty() ? "" : " (" + close.reason() + ")");
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
