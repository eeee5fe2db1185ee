package online.hypermesh.node.cluster;

import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqLinkHandler;
import online.hypermesh.protocol.stoq.StoqPeer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * What the node's STOQ server hands to the cluster transport ({@link StoqClusterTransport}),
 * which Pekko creates by reflection while the ActorSystem starts and so cannot be given objects
 * directly: the node registers an attachment under a fresh id before it creates the ActorSystem,
 * writes the id into the transport's config section, and the transport looks it up. The
 * server's handler asks {@link #openLink} for every remoting link; until the transport listens
 * they are refused as "starting".
 */
public final class StoqClusterAttachment {

  /** Opens links for the transport; see {@link online.hypermesh.protocol.stoq.StoqHandler#openLink}. */
  @FunctionalInterface
  interface LinkOpener {
    StoqLinkHandler open(StoqPeer peer, ByteBuf opening);
  }

  private static final Map<String, StoqClusterAttachment> ATTACHED = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final StoqSettings settings;
  private final StoqTls tls;
  /** Replaced when the node's certificate is renewed; new associations dial with the newest. */
  private volatile StoqIdentity identity;
  private volatile int port;
  private volatile LinkOpener links;

  private StoqClusterAttachment(StoqSettings settings, StoqTls tls, StoqIdentity identity) {
    this.settings = settings;
    this.tls = tls;
    this.identity = identity;
  }

  /** The attachment of a STOQ server about to start; {@link #bound} registers it. */
  public static StoqClusterAttachment create(
      StoqSettings settings, StoqTls tls, StoqIdentity identity) {
    return new StoqClusterAttachment(
        Objects.requireNonNull(settings), Objects.requireNonNull(tls),
        Objects.requireNonNull(identity));
  }

  /** The server listens on {@code port}: the transport may now find the attachment. */
  public void bound(int port) {
    this.port = port;
    ATTACHED.put(id, this);
  }

  static StoqClusterAttachment lookup(String id) {
    StoqClusterAttachment attachment = ATTACHED.get(id);
    if (attachment == null) {
      throw new IllegalStateException("no STOQ server attached under '" + id + "': the stoq "
          + "cluster transport only runs inside a node (Node.start binds STOQ first)");
    }
    return attachment;
  }

  /** Forgets the attachment (the node stopped); links are refused from then on. */
  public void unregister() {
    ATTACHED.remove(id);
    links = null;
  }

  public String id() {
    return id;
  }

  StoqSettings settings() {
    return settings;
  }

  StoqTls tls() {
    return tls;
  }

  StoqIdentity identity() {
    return identity;
  }

  public void updateIdentity(StoqIdentity renewed) {
    this.identity = Objects.requireNonNull(renewed);
  }

  int port() {
    return port;
  }

  void listen(LinkOpener opener) {
    this.links = opener;
  }

  /** What the node's STOQ handler calls for a link opening. */
  public StoqLinkHandler openLink(StoqPeer peer, ByteBuf opening) {
    LinkOpener opener = links;
    if (opener == null) {
      throw new StoqException(StoqError.UNAVAILABLE,
          "the cluster transport does not accept links (node starting or stopping)");
    }
    return opener.open(peer, opening);
  }
}
