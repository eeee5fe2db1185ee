package online.hypermesh.node.health;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Readiness: Cassandra answers a query through the journal's own session. A node that cannot persist
 * must not take traffic, even though it is Up in the cluster.
 */
public final class CassandraReadyCheck implements Supplier<CompletionStage<Boolean>> {

  private final CassandraSession session;

  public CassandraReadyCheck(ActorSystem system) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return session.selectOne("SELECT release_version FROM system.local")
        .thenApply(row -> row.isPresent())
        .exceptionally(failure -> false);
  }
}
