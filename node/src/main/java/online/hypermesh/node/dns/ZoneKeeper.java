package online.hypermesh.node.dns;

import online.hypermesh.protocol.dns.DnsNode;
import online.hypermesh.protocol.dns.DnsSettings;
import online.hypermesh.protocol.dns.DnsZone;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps this node's snapshot of the zone in step with the cluster: a node is published while it is a
 * member with status Up, reachable by the failure detector, and has said it is ready (it registers
 * under {@link #READY} once its layers and STOQ serve; the receptionist drops it when it leaves).
 * What it publishes (address, STOQ port, region, key hash) comes from its {@link DnsRole}.
 */
public final class ZoneKeeper {

  public sealed interface Command {
  }

  /** This node serves now: publish it to the cluster. */
  public enum Ready implements Command { INSTANCE }

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {
  }

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {
  }

  private record ReadyNodes(Receptionist.Listing listing) implements Command {
  }

  static final ServiceKey<Command> READY = ServiceKey.create(Command.class, "hypermesh-dns-ready");

  private final ActorContext<Command> context;
  private final DnsSettings settings;
  private final String selfName;
  private final AtomicReference<DnsZone> zone;
  private final Map<UniqueAddress, Member> members = new HashMap<>();
  private final Set<UniqueAddress> unreachable = new HashSet<>();
  private Set<Address> ready = Set.of();

  private ZoneKeeper(ActorContext<Command> context, DnsSettings settings, String selfName, AtomicReference<DnsZone> zone) {
    this.context = context;
    this.settings = settings;
    this.selfName = selfName;
    this.zone = zone;
  }

  public static Behavior<Command> create(DnsSettings settings, String selfName, AtomicReference<DnsZone> zone) {
    return Behaviors.setup(context -> {
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
          ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new), ClusterEvent.ReachabilityEvent.class));
      ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, ReadyNodes::new);
      context.getSystem().receptionist().tell(Receptionist.subscribe(READY, listings));
      return new ZoneKeeper(context, settings, selfName, zone).behavior();
    });
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Ready.INSTANCE, this::onReady)
        .onMessage(MemberChanged.class, this::onMember)
        .onMessage(ReachabilityChanged.class, this::onReachability)
        .onMessage(ReadyNodes.class, this::onReadyNodes)
        .build();
  }

  private Behavior<Command> onReady() {
    context.getSystem().receptionist().tell(Receptionist.register(READY, context.getSelf()));
    return Behaviors.same();
  }

  private Behavior<Command> onMember(MemberChanged changed) {
    Member member = changed.event().member();
    if (changed.event() instanceof ClusterEvent.MemberRemoved) {
      members.remove(member.uniqueAddress());
      unreachable.remove(member.uniqueAddress());
    } else {
      members.put(member.uniqueAddress(), member);
    }
    return rebuild();
  }

  private Behavior<Command> onReachability(ReachabilityChanged changed) {
    UniqueAddress address = changed.event().member().uniqueAddress();
    if (changed.event() instanceof ClusterEvent.UnreachableMember) {
      unreachable.add(address);
    } else {
      unreachable.remove(address);
    }
    return rebuild();
  }

  private Behavior<Command> onReadyNodes(ReadyNodes nodes) {
    Address self = Cluster.get(context.getSystem()).selfMember().address();
    Set<Address> addresses = new HashSet<>();
    for (ActorRef<Command> ref : nodes.listing().getServiceInstances(READY)) {
      Address address = ref.path().address();
      addresses.add(address.hasGlobalScope() ? address : self);
    }
    ready = Set.copyOf(addresses);
    return rebuild();
  }

  private Behavior<Command> rebuild() {
    List<DnsNode> healthy = new ArrayList<>();
    for (Member member : members.values()) {
      if (member.status() == MemberStatus.up() && !unreachable.contains(member.uniqueAddress()) && ready.contains(member.address())) {
        for (String role : member.getRoles()) {
          DnsRole.decode(role).ifPresent(healthy::add);
        }
      }
    }
    DnsZone current = zone.get();
    if (Set.copyOf(healthy).equals(Set.copyOf(current.nodes()))) {
      return Behaviors.same();
    }
    long serial = Math.max(current.serial() + 1, System.currentTimeMillis() / 1000);
    DnsZone next = DnsZone.of(settings, selfName, healthy, serial);
    zone.set(next);
    context.getLog().info("DNS zone {} serial {}: {} nodes published {}", settings.zone(), next.serial(), next.nodes().size(),
        next.nodes().stream().map(DnsNode::name).toList());
    return Behaviors.same();
  }
}
