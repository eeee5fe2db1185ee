package online.hypermesh.node.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import online.hypermesh.node.bootstrap.Bootstrap;
import online.hypermesh.node.trustchain.NodeIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/** The node-level gauges: STOQ listener, cluster membership, certificate expiry, bootstrap phase. Read at scrape time. */
public final class NodeMetrics {

  private NodeMetrics() {}

  public static void register(ActorSystem system, StoqServer stoq) {
    PrometheusRegistry registry = Metrics.get(system).registry();
    GaugeWithCallback.builder()
        .name("hypermesh_stoq_connections")
        .help("STOQ connections that completed the handshake and are open")
        .callback(callback -> callback.call(stoq.activeConnections()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hypermesh_stoq_streams")
        .help("STOQ streams open on all connections")
        .callback(callback -> callback.call(stoq.activeStreams()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hypermesh_stoq_ipv4_datagrams_dropped")
        .help("Datagrams dropped because they came from an IPv4 sender")
        .callback(callback -> callback.call(stoq.droppedIpv4Datagrams()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hypermesh_cluster_members")
        .help("Cluster members as this node sees them, by status")
        .labelNames("status")
        .callback(callback -> {
          long up = 0;
          long other = 0;
          for (Member member : Cluster.get(system).state().getMembers()) {
            if (member.status() == MemberStatus.up()) {
              up++;
            } else {
              other++;
            }
          }
          callback.call(up, "up");
          callback.call(other, "other");
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("hypermesh_node_certificate_expiry_seconds")
        .help("Seconds until this node's certificate expires (negative once expired); renewal keeps it up")
        .callback(callback -> callback.call((NodeIdentity.get(system).certificate().getNotAfter().getTime()
            - System.currentTimeMillis()) / 1000.0))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hypermesh_bootstrap_phase")
        .help("Highest bootstrap phase reached: 0 seeds, 1 TrustChain, 2 STOQ, 3 federation; -1 none")
        .callback(callback -> callback.call(Bootstrap.get(system).report().phase()))
        .register(registry);
  }
}
