package online.hypermesh.actors.trustchain;

import online.hypermesh.protocol.serialization.KryoMessage;
import online.hypermesh.protocol.trustchain.LogReceipt;
import online.hypermesh.protocol.trustchain.LogSigner;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleLog;
import online.hypermesh.protocol.trustchain.SignedTreeHead;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Certificate Transparency log: an append-only Merkle log (RFC 6962 hashing) whose every entry is
 * persisted in Cassandra before its receipt is returned, so an acknowledged entry survives restarts and
 * node loss. Tree heads and receipts are signed with the log's FALCON-1024 key; proofs come from the
 * rebuilt tree and are checked by clients with the independent verifier.
 */
public final class TransparencyLog
    extends EventSourcedBehavior<TransparencyLog.Command, TransparencyLog.Event, TransparencyLog.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "TransparencyLog");

  /** Bounds a single entries read, so one request cannot ask for the whole log. */
  public static final int MAX_ENTRIES_PER_READ = 1000;

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

  public record Appended(long leafIndex, LogReceipt receipt) implements KryoMessage {
  }

  public record TreeHead(SignedTreeHead head) implements KryoMessage {
  }

  /** {@code problem} is null when {@code hashes} is the proof. */
  public record ProofReply(List<byte[]> hashes, String problem) implements KryoMessage {
  }

  public record EntriesReply(List<byte[]> entries, String problem) implements KryoMessage {
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

    State(List<byte[]> entries) {
      this.entries = new ArrayList<>(entries);
      this.tree = new MerkleLog();
      for (byte[] entry : entries) {
        tree.append(entry);
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
      tree.append(entry);
      return this;
    }
  }

  private final LogSigner signer;
  private final Clock clock;

  public static Behavior<Command> create(String logName, LogSigner signer, Clock clock) {
    return new TransparencyLog(PersistenceId.of(TYPE_KEY.name(), logName), signer, clock);
  }

  private TransparencyLog(PersistenceId persistenceId, LogSigner signer, Clock clock) {
    super(persistenceId);
    this.signer = signer;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Append.class, (state, append) -> {
          long timestamp = clock.millis();
          return Effect().persist(new EntryAppended(append.entry().clone(), timestamp))
              .thenReply(append.replyTo(), s -> {
                long index = s.size() - 1;
                return new Appended(index, signer.receipt(index, MerkleHashes.leafHash(append.entry()), timestamp));
              });
        })
        .onCommand(GetTreeHead.class, (state, get) ->
            Effect().reply(get.replyTo(), new TreeHead(signer.signTreeHead(state.tree, clock.millis()))))
        .onCommand(GetInclusionProof.class, (state, get) -> Effect().reply(get.replyTo(), inclusion(state, get)))
        .onCommand(GetConsistencyProof.class, (state, get) -> Effect().reply(get.replyTo(), consistency(state, get)))
        .onCommand(GetEntries.class, (state, get) -> Effect().reply(get.replyTo(), entries(state, get)))
        .build();
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

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }
}
