package online.hypermesh.actors.trustchain;

import online.hypermesh.protocol.serialization.KryoMessage;
import online.hypermesh.protocol.trustchain.LogReceipt;
import online.hypermesh.protocol.trustchain.LogSigner;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleLog;
import online.hypermesh.protocol.trustchain.SignedTreeHead;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The Certificate Transparency log: an append-only Merkle log (RFC 6962 hashing) whose every entry is
 * persisted in Cassandra before its receipt is returned, so an acknowledged entry survives restarts and
 * node loss. Tree heads and receipts are signed with the log's FALCON-1024 key; proofs come from the
 * rebuilt tree and are checked by clients with the independent verifier.
 *
 * <p>Group commit: appends that arrive while a write is in flight are persisted together in the next
 * write (one atomic journal write, bounded by {@link #MAX_BATCH_ENTRIES} and {@link #MAX_BATCH_BYTES}), so
 * the rate is not bounded by one Cassandra round trip per entry. Receipts are signed after the write, on
 * the signing executor, so FALCON signing does not serialize on the entity's thread.
 *
 * <p>No snapshots: a snapshot would hold every entry (the tree needs them for entries reads), so it
 * would save nothing over replaying the journal and would cost a full copy of the log every N appends.
 */
public final class TransparencyLog
    extends EventSourcedBehavior<TransparencyLog.Command, TransparencyLog.Event, TransparencyLog.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "TransparencyLog");

  /** Bounds a single entries read, so one request cannot ask for the whole log. */
  public static final int MAX_ENTRIES_PER_READ = 1000;

  /** Bounds of one group-commit write. Cassandra refuses very large mutations; 256 KiB is far below. */
  public static final int MAX_BATCH_ENTRIES = 256;
  public static final int MAX_BATCH_BYTES = 256 * 1024;

  public sealed interface Command extends KryoMessage {
  }

  public record Append(byte[] entry, ActorRef<Appended> replyTo) implements Command {
  }

  public record GetTreeHead(ActorRef<TreeHead> replyTo) implements Command {
  }

  public record GetInclusionProof(long leafIndex, long treeSize, ActorRef<ProofReply> replyTo) implements Command {
  }

  public record GetConsistencyProof(long firstSize, long secondSize, ActorRef<ProofReply> replyTo) implements Command {
  }

  public record GetEntries(long start, long end, ActorRef<EntriesReply> replyTo) implements Command {
  }

  /** Inclusion of a leaf index in the tree of {@code treeSize} (0: the current size), with a head signed for that size. */
  public record GetSignedInclusion(long leafIndex, long treeSize, ActorRef<InclusionReply> replyTo) implements Command {
  }

  /** As {@link GetSignedInclusion}, the leaf found by its hash (RFC 6962 get-proof-by-hash). */
  public record GetInclusionByHash(byte[] leafHash, long treeSize, ActorRef<InclusionReply> replyTo) implements Command {
  }

  /** Consistency between sizes (second 0: the current size), with heads signed for both sizes. */
  public record GetSignedConsistency(long firstSize, long secondSize, ActorRef<ConsistencyReply> replyTo)
      implements Command {
  }

  /** Persists what is pending (self message; see the class comment). */
  public record Flush() implements Command {
  }

  public record Appended(long leafIndex, LogReceipt receipt) implements KryoMessage {
  }

  public record TreeHead(SignedTreeHead head) implements KryoMessage {
  }

  /** {@code problem} is null when {@code hashes} is the proof. */
  public record ProofReply(List<byte[]> hashes, String problem) implements KryoMessage {
  }

  public record EntriesReply(List<byte[]> entries, String problem) implements KryoMessage {
  }

  /** {@code problem} is null on success; {@code entry} is the logged entry at {@code leafIndex}. */
  public record InclusionReply(long leafIndex, byte[] entry, List<byte[]> hashes, SignedTreeHead head, String problem)
      implements KryoMessage {
  }

  public record ConsistencyReply(SignedTreeHead first, SignedTreeHead second, List<byte[]> hashes, String problem)
      implements KryoMessage {
  }

  public sealed interface Event extends KryoMessage {
  }

  public record EntryAppended(byte[] entry, long timestampMillis) implements Event {
  }

  /** What a snapshot stores: the entries in order. The tree is derived from them on recovery. */
  public record Snapshot(List<byte[]> entries) implements KryoMessage {
  }

  /**
   * The entries and the Merkle tree over them, mutated only by the event handler, in step. Appending in
   * place keeps an append O(log n); snapshots get an immutable copy through the snapshot adapter, made on
   * the entity's thread, so the snapshot store never sees a state that is still changing.
   */
  public static final class State {
    private final List<byte[]> entries;
    private final MerkleLog tree;
    private final Map<ByteBuffer, Long> indexByLeafHash = new HashMap<>();

    State(List<byte[]> entries) {
      this.entries = new ArrayList<>();
      this.tree = new MerkleLog();
      for (byte[] entry : entries) {
        append(entry);
      }
    }

    public List<byte[]> entries() {
      return Collections.unmodifiableList(entries);
    }

    long size() {
      return entries.size();
    }

    State append(byte[] entry) {
      entries.add(entry);
      long index = tree.append(entry);
      // The first index wins: a repeated entry is proven at its first position, as RFC 6962 logs do.
      indexByLeafHash.putIfAbsent(ByteBuffer.wrap(tree.leafHash(index)), index);
      return this;
    }
  }

  private final ActorContext<Command> context;
  private final LogSigner signer;
  private final Clock clock;
  private final Executor signing;
  /** Appends taken but not yet written; not state: lost with the actor, whose callers then time out. */
  private final List<Append> pending = new ArrayList<>();

  /** Receipts signed on the entity's thread. */
  public static Behavior<Command> create(String logName, LogSigner signer, Clock clock) {
    return create(logName, signer, clock, Runnable::run);
  }

  public static Behavior<Command> create(String logName, LogSigner signer, Clock clock, Executor signing) {
    return Behaviors.setup(context ->
        new TransparencyLog(context, PersistenceId.of(TYPE_KEY.name(), logName), signer, clock, signing));
  }

  private TransparencyLog(ActorContext<Command> context, PersistenceId persistenceId, LogSigner signer, Clock clock,
                          Executor signing) {
    super(persistenceId);
    this.context = context;
    this.signer = signer;
    this.clock = clock;
    this.signing = signing;
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Append.class, (state, append) -> {
          pending.add(new Append(append.entry().clone(), append.replyTo()));
          if (pending.size() == 1) {
            context.getSelf().tell(new Flush());
          }
          return Effect().none();
        })
        .onCommand(Flush.class, (state, flush) -> flush())
        .onCommand(GetSignedInclusion.class, (state, get) -> Effect().reply(get.replyTo(), signedInclusion(state, get.leafIndex(), get.treeSize())))
        .onCommand(GetInclusionByHash.class, (state, get) -> {
          Long index = get.leafHash() == null ? null : state.indexByLeafHash.get(ByteBuffer.wrap(get.leafHash()));
          if (index == null) {
            return Effect().reply(get.replyTo(), new InclusionReply(-1, new byte[0], List.of(), null, "no such entry in the log"));
          }
          return Effect().reply(get.replyTo(), signedInclusion(state, index, get.treeSize()));
        })
        .onCommand(GetSignedConsistency.class, (state, get) -> Effect().reply(get.replyTo(), signedConsistency(state, get)))
        .onCommand(GetTreeHead.class, (state, get) ->
            Effect().reply(get.replyTo(), new TreeHead(signer.signTreeHead(state.tree, clock.millis()))))
        .onCommand(GetInclusionProof.class, (state, get) -> Effect().reply(get.replyTo(), inclusion(state, get)))
        .onCommand(GetConsistencyProof.class, (state, get) -> Effect().reply(get.replyTo(), consistency(state, get)))
        .onCommand(GetEntries.class, (state, get) -> Effect().reply(get.replyTo(), entries(state, get)))
        .build();
  }

  private Effect<Event, State> flush() {
    if (pending.isEmpty()) {
      return Effect().none();
    }
    List<Append> batch = new ArrayList<>();
    int bytes = 0;
    while (!pending.isEmpty() && batch.size() < MAX_BATCH_ENTRIES
        && (batch.isEmpty() || bytes + pending.get(0).entry().length <= MAX_BATCH_BYTES)) {
      Append next = pending.remove(0);
      bytes += next.entry().length;
      batch.add(next);
    }
    if (!pending.isEmpty()) {
      context.getSelf().tell(new Flush());
    }
    long timestamp = clock.millis();
    List<Event> events = new ArrayList<>(batch.size());
    for (Append append : batch) {
      events.add(new EntryAppended(append.entry(), timestamp));
    }
    return Effect().persist(events).thenRun(state -> {
      long first = state.size() - batch.size();
      for (int i = 0; i < batch.size(); i++) {
        Append append = batch.get(i);
        long index = first + i;
        signing.execute(() -> append.replyTo().tell(
            new Appended(index, signer.receipt(index, MerkleHashes.leafHash(append.entry()), timestamp))));
      }
    });
  }

  private InclusionReply signedInclusion(State state, long leafIndex, long requestedSize) {
    long treeSize = requestedSize == 0 ? state.size() : requestedSize;
    if (treeSize < 1 || treeSize > state.size()) {
      return new InclusionReply(leafIndex, new byte[0], List.of(), null, "tree size " + treeSize + " is not in 1.." + state.size());
    }
    if (leafIndex < 0 || leafIndex >= treeSize) {
      return new InclusionReply(leafIndex, new byte[0], List.of(), null,
          "leaf index " + leafIndex + " is not below tree size " + treeSize);
    }
    SignedTreeHead head = signer.signTreeHead(treeSize, clock.millis(), state.tree.root(treeSize));
    return new InclusionReply(leafIndex, state.entries.get((int) leafIndex).clone(),
        List.copyOf(state.tree.inclusionProof(leafIndex, treeSize)), head, null);
  }

  private ConsistencyReply signedConsistency(State state, GetSignedConsistency get) {
    long second = get.secondSize() == 0 ? state.size() : get.secondSize();
    if (get.firstSize() < 1 || get.firstSize() > second || second > state.size()) {
      return new ConsistencyReply(null, null, List.of(),
          "sizes " + get.firstSize() + ".." + second + " are not within 1.." + state.size());
    }
    long now = clock.millis();
    return new ConsistencyReply(signer.signTreeHead(get.firstSize(), now, state.tree.root(get.firstSize())),
        signer.signTreeHead(second, now, state.tree.root(second)),
        List.copyOf(state.tree.consistencyProof(get.firstSize(), second)), null);
  }

  private static ProofReply inclusion(State state, GetInclusionProof get) {
    if (get.treeSize() < 1 || get.treeSize() > state.size()) {
      return new ProofReply(List.of(), "tree size " + get.treeSize() + " is not in 1.." + state.size());
    }
    if (get.leafIndex() < 0 || get.leafIndex() >= get.treeSize()) {
      return new ProofReply(List.of(), "leaf index " + get.leafIndex() + " is not below tree size " + get.treeSize());
    }
    return new ProofReply(List.copyOf(state.tree.inclusionProof(get.leafIndex(), get.treeSize())), null);
  }

  private static ProofReply consistency(State state, GetConsistencyProof get) {
    if (get.firstSize() < 0 || get.firstSize() > get.secondSize() || get.secondSize() > state.size()) {
      return new ProofReply(List.of(), "sizes " + get.firstSize() + ".." + get.secondSize() + " are not within 0.." + state.size());
    }
    return new ProofReply(List.copyOf(state.tree.consistencyProof(get.firstSize(), get.secondSize())), null);
  }

  private static EntriesReply entries(State state, GetEntries get) {
    if (get.start() < 0 || get.end() < get.start() || get.end() >= state.size()) {
      return new EntriesReply(List.of(), "range " + get.start() + ".." + get.end() + " is not within 0.." + (state.size() - 1));
    }
    if (get.end() - get.start() + 1 > MAX_ENTRIES_PER_READ) {
      return new EntriesReply(List.of(), "at most " + MAX_ENTRIES_PER_READ + " entries per read");
    }
    List<byte[]> out = new ArrayList<>();
    for (long i = get.start(); i <= get.end(); i++) {
      out.add(state.entries.get((int) i).clone());
    }
    return new EntriesReply(List.copyOf(out), null);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(EntryAppended.class, (state, appended) -> state.append(appended.entry()))
        .build();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(List.copyOf(state.entries));
      }

      @Override
      public State fromJournal(Object from) {
        return new State(((Snapshot) from).entries());
      }
    };
  }
}
