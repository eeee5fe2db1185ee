package online.hypermesh.node.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicBoolean;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqLink;
import online.hypermesh.protocol.stoq.StoqLinkListener;
import org.apache.pekko.actor.Address;
import org.apache.pekko.remote.transport.AssociationHandle;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * One Pekko association over a STOQ link: each remoting PDU is one link message. The link is
 * started (read) only once Pekko registered its read handler, so PDUs wait in QUIC flow control
 * rather than in a buffer here. Outbound associations own their STOQ connection and close it with
 * the link; inbound ones live on a connection of the node's server.
 *
 * <p>write(): false when the link's bounded send queue is full. Pekko's endpoint writer then keeps
 * the message and retries after {@code pekko.remote.classic.backoff-interval}.
 */
final class StoqAssociation implements AssociationHandle {

  private static final Logger log = LoggerFactory.getLogger(StoqAssociation.class);

  private final Address local;
  private final Address remote;
  private final StoqLink link;
  /** Outbound: the connection this association owns; null inbound. */
  private final StoqClient client;
  /** Inbound: the first PDU must be Associate from this address; null outbound. */
  private final Address admitted;
  private final Promise<HandleEventListener> readHandler = Promise.apply();
  private final AtomicBoolean disassociated = new AtomicBoolean();

  StoqAssociation(Address local, Address remote, StoqLink link, StoqClient client, Address admitted) {
    this.local = local;
    this.remote = remote;
    this.link = link;
    this.client = client;
    this.admitted = admitted;
    if (client != null) {
      link.closeFuture().whenComplete((reason, failure) -> client.closeAsync());
    }
    FutureConverters.asJava(readHandler.future()).thenAccept(this::start);
  }

  private void start(HandleEventListener listener) {
    link.start(new StoqLinkListener() {
      private boolean first = admitted != null;

      @Override
      public void onMessage(ByteBuf message) {
        ByteString pdu = ByteString.fromArrayUnsafe(ByteBufUtil.getBytes(message));
        if (first) {
          first = false;
          String refusal = RemotingAdmission.checkFirstPdu(pdu, admitted);
          if (refusal != null) {
            log.warn("remoting link from {} refused: {}", link.peer().commonName(), refusal);
            link.close(refusal);
            return;
          }
        }
        listener.notify(new InboundPayload(pdu));
      }

      @Override
      public void onClosed(String reason) {
        log.debug("remoting link {} -> {} closed: {}", local, remote, reason);
        listener.notify(new Disassociated(AssociationHandle.Unknown$.MODULE$));
      }
    });
  }

  @Override
  public Address localAddress() {
    return local;
  }

  @Override
  public Address remoteAddress() {
    return remote;
  }

  @Override
  public Promise<HandleEventListener> readHandlerPromise() {
    return readHandler;
  }

  @Override
  public boolean write(ByteString payload) {
    return link.send(Unpooled.wrappedBuffer(payload.toArrayUnsafe()));
  }

  @Override
  @SuppressWarnings("deprecation")
  public void disassociate() {
    if (disassociated.compareAndSet(false, true)) {
      link.close("disassociated");
    }
  }

  @Override
  public String toString() {
    return "StoqAssociation[" + local + " -> " + remote + "]";
  }
}
