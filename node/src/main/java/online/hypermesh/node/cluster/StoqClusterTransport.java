package online.hypermesh.node.cluster;

import com.typesafe.config.Config;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqLink;
import online.hypermesh.protocol.stoq.StoqLinkHandler;
import online.hypermesh.protocol.stoq.StoqPeer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.remote.transport.AssociationHandle;
import org.apache.pekko.remote.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko classic remoting over STOQ ({@code hypermesh.cluster.transport = stoq}): the cluster's
 * traffic between nodes rides on STOQ links ({@link StoqLink}) on the node's one UDP port, after
 * the full STOQ handshake (ML-KEM-1024 key exchange, FALCON-1024 mutual authentication bound to
 * the QUIC connection, sealed payloads). Pekko wraps it in its protocol layer, so addresses read
 * {@code pekko.tcp://HyperMesh@[host]:port} (see {@link #SCHEME}).
 *
 * <p>Outbound: one STOQ connection per association, from an ephemeral UDP port, authenticated
 * with the node's own identity; a DNS-name host is resolved to an IPv6 address ({@link PeerHost}),
 * and the other node's certificate must have role node and name the host we dialled (the name,
 * not the address it resolved to). Inbound: links arrive through the node's STOQ server ({@link
 * StoqClusterAttachment}) and are admitted by {@link RemotingAdmission}.
 *
 * <p>Created by Pekko (transport-class in {@code pekko.remote.classic.stoq}) with the
 * ActorSystem; the node's STOQ server must be bound and attached before.
 */
public final class StoqClusterTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(StoqClusterTransport.class);

  /**
   * Pekko Cluster joins only members whose address protocol is pekko, pekko.tcp or pekko.ssl.tcp
   * (ClusterCoreDaemon; pekko.remote.accept-protocol-names admits only "pekko" and "akka"), so the
   * classic scheme must be "tcp" although this transport is STOQ over UDP.
   */
  static final String SCHEME = "tcp";

  private final ExtendedActorSystem system;
  private final StoqClusterAttachment attachment;
  private final String host;
  private final long maxQueuedBytes;
  private final RemotingAdmission admission;
  private final Set<StoqClient> clients = ConcurrentHashMap.newKeySet();
  private final Executor resolving;
  private volatile Address localAddress;

  public StoqClusterTransport(ExtendedActorSystem system, Config conf) {
    this.system = system;
    this.attachment = StoqClusterAttachment.lookup(conf.getString("attachment"));
    this.host = conf.getString("hostname");
    this.maxQueuedBytes = conf.getBytes("max-queued-bytes");
    this.admission = new RemotingAdmission(
        new CertificateVerifier(attachment.identity().trustAnchor(), attachment.identity().revoked()),
        system.name(), SCHEME);
    this.resolving = system.dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher");
  }

  @Override
  public String schemeIdentifier() {
    return SCHEME;
  }

  @Override
  public boolean isResponsibleFor(Address address) {
    return true;
  }

  @Override
  public int maximumPayloadBytes() {
    // Frame header and the AES-GCM tag (payload protection on) come off the frame limit.
    return attachment.settings().maxFrameBytes() - 16 - 16;
  }

  @Override
  public Future<Tuple2<Address, Promise<AssociationEventListener>>> listen() {
    String bracketed = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    Address address = new Address(SCHEME, system.name(), bracketed, attachment.port());
    localAddress = address;
    Promise<AssociationEventListener> events = Promise.apply();
    CompletionStage<AssociationEventListener> listener = FutureConverters.asJava(events.future());
    attachment.listen((peer, opening) -> open(peer, opening, listener));
    log.info("cluster transport: Pekko remoting over STOQ as {} (udp port {})", address,
        attachment.port());
    return scala.concurrent.Future$.MODULE$.successful(Tuple2.apply(address, events));
  }

  /** An inbound link opening, on the server's event loop. */
  private StoqLinkHandler open(
      StoqPeer peer, ByteBuf opening, CompletionStage<AssociationEventListener> listener) {
    Address claimed;
    try {
      claimed = admission.admit(peer, opening.toString(StandardCharsets.UTF_8));
    } catch (StoqException e) {
      log.warn("remoting link from {} ({}) refused: {}", peer.commonName(), peer.remoteAddress(),
          e.getMessage());
      throw e;
    }
    Address local = localAddress;
    return new StoqLinkHandler() {
      @Override
      public long maxQueuedBytes() {
        return maxQueuedBytes;
      }

      @Override
      public void opened(StoqLink link) {
        log.debug("remoting link from {} admitted as {}", peer.commonName(), claimed);
        StoqAssociation association = new StoqAssociation(local, claimed, link, null, claimed);
        listener.thenAccept(l -> l.notify(new InboundAssociation(association)));
      }
    };
  }

  @Override
  public Future<AssociationHandle> associate(Address remote) {
    Address local = localAddress;
    if (local == null || remote.host().isEmpty() || remote.port().isEmpty()) {
      return scala.concurrent.Future$.MODULE$.failed(new IllegalArgumentException("cannot associate with " + remote));
    }
    String remoteHost = RemotingAdmission.bare(remote.host().get());
    int port = (Integer) remote.port().get();
    CompletableFuture<AssociationHandle> result = new CompletableFuture<>();
    // A DNS name is looked up off Pekko's threads (a lookup may block for seconds).
    CompletableFuture.supplyAsync(() -> resolve(remoteHost, port), resolving)
        .thenCompose(target -> StoqClient.connect(target, attachment.settings(), attachment.tls(),
            attachment.identity(), remoteHost))
        .whenComplete((client, failure) -> {
          if (failure != null) {
            result.completeExceptionally(unavailable(remote, failure));
            return;
          }
          if (!PeerHost.isLiteral(remoteHost)
              && !RemotingAdmission.hasDnsName(client.server().certificate(), remoteHost)) {
            // The handshake also accepts a matching common name; as on admission, a cluster
            // address must be a DNS name the certificate was issued for.
            client.closeAsync();
            result.completeExceptionally(unavailable(remote, new StoqException(
                StoqError.UNAUTHENTICATED, "certificate of " + client.server().commonName()
                    + " does not carry " + remoteHost + " as a DNS subjectAltName")));
            return;
          }
          clients.add(client);
          client.closeFuture().whenComplete((c, f) -> clients.remove(client));
          client.openLink(RemotingAdmission.opening(local), maxQueuedBytes)
              .whenComplete((link, refused) -> {
                if (refused != null) {
                  client.closeAsync();
                  result.completeExceptionally(unavailable(remote, refused));
                } else {
                  result.complete(new StoqAssociation(local, remote, link, client, null));
                }
              });
        });
    return FutureConverters.asScala(result);
  }

  private static InetSocketAddress resolve(String host, int port) {
    try {
      return PeerHost.resolve(host, port, InetAddress::getAllByName);
    } catch (UnknownHostException e) {
      throw new CompletionException(e);
    }
  }

  private static Exception unavailable(Address remote, Throwable failure) {
    Throwable cause = failure instanceof CompletionException
        && failure.getCause() != null ? failure.getCause() : failure;
    log.info("remoting link to {} failed: {}", remote, cause.getMessage());
    // A plain failure: Pekko's endpoint manager gates the address for retry-gate-closed-for and
    // tries again (InvalidAssociationException would be treated as a protocol violation).
    return new java.io.IOException("STOQ link to " + remote + " failed: " + cause.getMessage(), cause);
  }

  @Override
  public Future<Object> shutdown() {
    attachment.listen(null);
    for (StoqClient client : clients) {
      client.closeAsync();
    }
    return scala.concurrent.Future$.MODULE$.successful(Boolean.TRUE);
  }
}
