package online.hypermesh.persistence;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the journal and snapshot keyspaces and tables (IF NOT EXISTS) with the plugin's own statements,
 * before any entity recovers. Waits for Cassandra, logging each failed try, so a node started before its
 * database simply becomes ready later.
 */
public final class JournalSchema {

  private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);
  private static final String PLUGIN = "pekko.persistence.cassandra";

  private JournalSchema() {
  }

  public static void create(ActorSystem system, Duration timeout) {
    KeyspaceAndTableStatements statements = new KeyspaceAndTableStatements(system, PLUGIN, PluginSettings.apply(system));
    List<String> ddl = new ArrayList<>();
    ddl.add(statements.createJournalKeyspaceStatement());
    ddl.addAll(statements.getCreateJournalTablesStatements());
    ddl.add(statements.createSnapshotKeyspaceStatement());
    ddl.addAll(statements.getCreateSnapshotTablesStatements());
    CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(PLUGIN));

    long deadline = System.nanoTime() + timeout.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        for (String statement : ddl) {
          session.executeDDL(statement).toCompletableFuture().join();
        }
        log.info("journal and snapshot schema present ({} statements)", ddl.size());
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not create the journal schema in Cassandra within " + timeout.toSeconds()
              + "s: " + rootMessage(e), e);
        }
        log.warn("Cassandra not ready for the schema (attempt {}): {}; retrying", attempt, rootMessage(e));
        sleep(Duration.ofSeconds(Math.min(5, attempt)));
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Cassandra", e);
    }
  }

}
