package online.hypermesh.node.health;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import online.hypermesh.node.bootstrap.Bootstrap;
import org.apache.pekko.actor.ActorSystem;

/**
 * Readiness: the STOQ listener serves the layers. STOQ is bound before the ActorSystem (the cluster
 * transport runs on it), and until the layers are wired it answers every request "node is starting",
 * so a node is not ready for clients while it is Up but not yet wired.
 */
public final class StoqReadyCheck implements Supplier<CompletionStage<Boolean>> {

  private final Bootstrap bootstrap;

  public StoqReadyCheck(ActorSystem system) {
    this.bootstrap = Bootstrap.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    boolean serving = bootstrap.report().checks().stream()
        .anyMatch(check -> check.name().equals("stoq-listener") && check.passed());
    return CompletableFuture.completedFuture(serving);
  }
}
