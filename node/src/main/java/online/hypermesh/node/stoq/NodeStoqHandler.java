package online.hypermesh.node.stoq;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import online.hypermesh.node.cluster.StoqClusterAttachment;
import online.hypermesh.protocol.stoq.StoqDownloadSource;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqHandler;
import online.hypermesh.protocol.stoq.StoqLinkHandler;
import online.hypermesh.protocol.stoq.StoqPeer;
import online.hypermesh.protocol.stoq.StoqStreamHandler;

/**
 * The handler of the node's STOQ server, which is bound before the ActorSystem starts (the
 * cluster transport runs on it): layer requests go to the {@link StoqRouter} once {@link #wire}
 * gave it, and are refused with a clear UNAVAILABLE "starting" error until then; remoting links
 * go to the cluster transport's attachment (null when the cluster runs over Artery).
 */
public final class NodeStoqHandler implements StoqHandler {

  private static final String STARTING = "node is starting: its layers are not ready yet";

  private final StoqClusterAttachment cluster;
  private volatile StoqHandler layers;

  public NodeStoqHandler(StoqClusterAttachment cluster) {
    this.cluster = cluster;
  }

  /** From now on layer requests are served by {@code router}. */
  public void wire(StoqHandler router) {
    this.layers = router;
  }

  private StoqHandler layers() {
    StoqHandler current = layers;
    if (current == null) {
      throw new StoqException(StoqError.UNAVAILABLE, STARTING);
    }
    return current;
  }

  @Override
  public CompletionStage<byte[]> handle(ByteBuf payload) {
    StoqHandler current = layers;
    return current == null
        ? CompletableFuture.failedFuture(new StoqException(StoqError.UNAVAILABLE, STARTING))
        : current.handle(payload);
  }

  @Override
  public CompletionStage<ByteBuf> handleBuffer(StoqPeer peer, ByteBuf payload) {
    StoqHandler current = layers;
    return current == null
        ? CompletableFuture.failedFuture(new StoqException(StoqError.UNAVAILABLE, STARTING))
        : current.handleBuffer(peer, payload);
  }

  @Override
  public StoqStreamHandler openStream(StoqPeer peer) {
    return layers().openStream(peer);
  }

  @Override
  public StoqDownloadSource openDownload(StoqPeer peer, ByteBuf request) {
    return layers().openDownload(peer, request);
  }

  @Override
  public StoqLinkHandler openLink(StoqPeer peer, ByteBuf open) {
    if (cluster == null) {
      return null;
    }
    return cluster.openLink(peer, open);
  }
}
