package online.hypermesh.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * The node's choice of cluster transport ({@code hypermesh.cluster.transport}): {@code stoq}
 * (Pekko classic remoting over STOQ links, {@link StoqClusterTransport}) or {@code artery-tls}
 * (Pekko Artery over TCP + TLS, {@link ArteryTlsProvider}). The Pekko settings each one needs are
 * in base.conf under {@code hypermesh.cluster.transport-settings}.
 */
public record ClusterTransport(String name) {

  public static final String STOQ = "stoq";
  public static final String ARTERY_TLS = "artery-tls";

  public ClusterTransport {
    if (!name.equals(STOQ) && !name.equals(ARTERY_TLS)) {
      throw new IllegalArgumentException("hypermesh.cluster.transport must be " + STOQ + " or "
          + ARTERY_TLS + ", not '" + name + "'");
    }
  }

  public static ClusterTransport of(Config config) {
    return new ClusterTransport(config.getString("hypermesh.cluster.transport"));
  }

  public boolean stoq() {
    return name.equals(STOQ);
  }

  /** The ActorSystem's config: the transport's Pekko settings over {@code config}. */
  public Config systemConfig(Config config, StoqClusterAttachment attachment) {
    Config settings = config.getConfig("hypermesh.cluster.transport-settings." + name);
    if (attachment != null) {
      settings = settings.withValue("pekko.remote.classic.stoq.attachment",
          ConfigValueFactory.fromAnyRef(attachment.id()));
    }
    return settings.withFallback(config).resolve();
  }

  /**
   * When the node's STOQ server closes on shutdown: at service-unbind (clients see a clean close
   * early), but with the stoq transport only before the ActorSystem terminates, because the
   * cluster leaves over it (other nodes' gossip reaches this node through the server).
   */
  public String stoqClosePhase() {
    return stoq()
        ? CoordinatedShutdown.PhaseBeforeActorSystemTerminate()
        : CoordinatedShutdown.PhaseServiceUnbind();
  }

}
