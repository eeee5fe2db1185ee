package online.hypermesh.node.dns;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import online.hypermesh.protocol.dns.ClassicDnsServer;
import online.hypermesh.protocol.dns.DnsNode;
import online.hypermesh.protocol.dns.DnsResponder;
import online.hypermesh.protocol.dns.DnsZone;
import online.hypermesh.protocol.dns.DoqService;
import online.hypermesh.protocol.stoq.QuicService;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's DNS: the zone snapshot the cluster keeps current ({@link ZoneKeeper}), DNS over QUIC on
 * the STOQ port and, when {@code hypermesh.dns.classic.port} is set, classic UDP and TCP.
 *
 * <p>Order in {@code Node.start}: {@link #prepare} before the ActorSystem (the node's DNS role must be
 * in its config when it joins), {@link #doqService()} into the StoqServer, {@link #start} once the node
 * serves.
 */
public final class NodeDns {

  private static final Logger log = LoggerFactory.getLogger(NodeDns.class);

  private final DnsConfig config;
  private final String selfName;
  private final Optional<DnsNode> self;
  private final AtomicReference<DnsZone> zone;
  private final DnsResponder responder;
  private ClassicDnsServer classic;

  private NodeDns(DnsConfig config, String selfName, Optional<DnsNode> self) {
    this.config = config;
    this.selfName = selfName;
    this.self = self;
    this.zone = new AtomicReference<>(DnsZone.of(config.settings(), selfName, List.of(), System.currentTimeMillis() / 1000));
    this.responder = new DnsResponder(zone::get);
  }

  /**
   * Reads {@code hypermesh.dns} and works out what this node publishes. A node whose name is not a DNS
   * label or whose address is not IPv6 is not published (with a warning) but still answers.
   */
  public static NodeDns prepare(Config config, StoqIdentity identity) {
    DnsConfig dns = DnsConfig.read(config);
    String name = config.getString("hypermesh.node.name").toLowerCase(java.util.Locale.ROOT);
    String selfName = name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") ? name : "ns";
    Optional<DnsNode> self = Optional.empty();
    String host = dns.address().isEmpty() ? config.getString("hypermesh.node.host") : dns.address();
    try {
      InetAddress address = InetAddress.getByName(host);
      if (!(address instanceof Inet6Address v6)) {
        log.warn("DNS: {} is not an IPv6 address; this node is not published in {}", host, dns.settings().zone());
      } else {
        self = Optional.of(new DnsNode(name, v6, config.getInt("hypermesh.stoq.port"), config.getString("hypermesh.node.region"),
            DnsNode.spkiSha256(identity.chain().get(0))));
      }
    } catch (UnknownHostException e) {
      log.warn("DNS: cannot resolve {}; this node is not published in {}", host, dns.settings().zone());
    } catch (IllegalArgumentException e) {
      log.warn("DNS: this node is not published in {}: {}", dns.settings().zone(), e.getMessage());
    }
    return new NodeDns(dns, selfName, self);
  }

  /** {@code config} with this node's DNS role added to {@code pekko.cluster.roles}. */
  public Config publish(Config config) {
    if (self.isEmpty()) {
      return config;
    }
    List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
    roles.add(DnsRole.encode(self.get()));
    return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
  }

  public QuicService doqService() {
    return new DoqService(responder, config.doqStreamTimeout());
  }

  public DnsResponder responder() {
    return responder;
  }

  /**
   * Starts following the cluster, tells it this node is ready, and opens classic DNS if configured;
   * closes it in the service-unbind phase of shutdown.
   *
   * @return the classic DNS port, or 0 when it is off
   */
  public int start(ActorSystem<?> system) {
    ActorRef<ZoneKeeper.Command> keeper = system.systemActorOf(
        ZoneKeeper.create(config.settings(), selfName, zone), "dns-zone-keeper", Props.empty());
    keeper.tell(ZoneKeeper.Ready.INSTANCE);
    int port = 0;
    if (config.classicPort() > 0) {
      classic = new ClassicDnsServer(config.bind(), config.classicPort(), responder, config.tcpIdleTimeout());
      port = classic.start();
    }
    CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "dns-close", () -> {
      if (classic != null) {
        classic.close();
      }
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    return port;
  }
}
