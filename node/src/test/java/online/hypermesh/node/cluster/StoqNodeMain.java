package online.hypermesh.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import online.hypermesh.node.stoq.NodeStoqHandler;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * One cluster node in its own JVM, wired as Node.start wires the stoq cluster transport (STOQ
 * server first, then the ActorSystem attached to it), for tests that need a JVM option of their
 * own (StoqClusterDnsTest: a hosts file). Prints {@code SELF address} once it listens, then
 * {@code MEMBERS a,b} (the Up members it sees) every 500 ms until killed.
 *
 * <p>Arguments: key file, chain file, trust anchor file, canonical host, comma-separated seed
 * addresses or "self".
 */
public final class StoqNodeMain {

  public static void main(String[] args) throws Exception {
    StoqIdentity identity =
        new IdentityFiles(Path.of(args[0]), Path.of(args[1]), Path.of(args[2])).load(Set.of());
    StoqSettings settings = StoqSettings.defaults().withBind(StoqSettings.ipv6("::1"), 0)
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
    StoqTls tls = StoqTls.defaults();
    StoqClusterAttachment attachment = StoqClusterAttachment.create(settings, tls, identity);
    StoqServer server = new StoqServer(settings, new NodeStoqHandler(attachment), tls, identity);
    attachment.bound(server.start());
    Config config =
        ConfigFactory.parseString(
                "hypermesh.cluster.transport = stoq\n"
                    + "hypermesh.node.host = \"::1\"\n"
                    + "hypermesh.node.canonical-host = \"" + args[3] + "\"\n"
                    + "pekko.coordinated-shutdown.exit-jvm = off\n"
                    + "pekko.cluster.seed-nodes = []\n")
            .withFallback(ConfigFactory.parseResources("base.conf"))
            .withFallback(ConfigFactory.load());
    ClusterTransport transport = ClusterTransport.of(config.resolve());
    ActorSystem system =
        ActorSystem.create("HyperMesh", transport.systemConfig(config, attachment));
    Cluster cluster = Cluster.get(system);
    System.out.println("SELF " + cluster.selfAddress());
    if (args[4].equals("self")) {
      cluster.join(cluster.selfAddress());
    } else {
      cluster.joinSeedNodes(Arrays.stream(args[4].split(",")).map(AddressFromURIString::parse).toList());
    }
    while (true) {
      String up = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up())
          .map(m -> m.address().toString())
          .sorted()
          .collect(Collectors.joining(","));
      System.out.println("MEMBERS " + up);
      Thread.sleep(500);
    }
  }
}
