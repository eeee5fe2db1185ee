package online.hypermesh.node.consensus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import online.hypermesh.actors.consensus.ChainKeeper;
import online.hypermesh.node.metrics.Metrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The chain as Prometheus sees it, updated by the chain keeper as it applies commits:
 * hypermesh_chain_height, hypermesh_chain_commit_latency_seconds (submission to local commit of the
 * transactions this node submitted),
 * hypermesh_consensus_round (round of the last committed block), hypermesh_consensus_view_changes
 * (rounds that committed no block: each one ended by a timeout certificate or lost), and
 * hypermesh_chain_rejected_transactions_total by the failing proof.
 */
final class ConsensusMetrics implements ChainKeeper.Observer {

  private final Gauge height;
  private final Gauge round;
  private final Gauge viewChanges;
  private final Histogram latency;
  private final Counter committedTransactions;
  private final Counter rejected;

  private ConsensusMetrics(PrometheusRegistry registry) {
    height = Gauge.builder().name("hypermesh_chain_height")
        .help("Height of the last block this node applied to its chain").register(registry);
    round = Gauge.builder().name("hypermesh_consensus_round")
        .help("Round of the last committed block").register(registry);
    viewChanges = Gauge.builder().name("hypermesh_consensus_view_changes")
        .help("Rounds that committed no block (view changes after a timeout), up to the last commit")
        .register(registry);
    latency = Histogram.builder().name("hypermesh_chain_commit_latency_seconds")
        .help("From submission to commit on this node, for transactions this node submitted")
        .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
    committedTransactions = Counter.builder().name("hypermesh_chain_committed_transactions_total")
        .help("Transactions in blocks this node applied").register(registry);
    rejected = Counter.builder().name("hypermesh_chain_rejected_transactions_total")
        .help("Transactions the local validator refused, by failing proof")
        .labelNames("proof").register(registry);
  }

  static ConsensusMetrics register(ActorSystem<?> system) {
    return new ConsensusMetrics(Metrics.get(Adapter.toClassic(system)).registry());
  }

  @Override
  public void committed(long height, long round, java.util.List<Long> latencyMillis,
      int transactions) {
    this.height.set(height);
    this.round.set(round);
    this.viewChanges.set(Math.max(0, round - height));
    for (long millis : latencyMillis) {
      this.latency.observe(millis / 1000.0);
    }
    this.committedTransactions.inc(transactions);
  }

  @Override
  public void rejected(String proof) {
    rejected.labelValues(proof).inc();
  }
}
