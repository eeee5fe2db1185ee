package online.hypermesh.node.stoq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import online.hypermesh.node.cluster.StoqClusterAttachment;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqPeer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.junit.jupiter.api.Test;

/** The node's STOQ handler before and after the layers are wired (STOQ is bound first). */
class NodeStoqHandlerTest {

  private static final StoqPeer PEER =
      new StoqPeer(true, "client-1", CertificateRole.CLIENT, List.of(), null);

  @Test
  void layerRequestsAreRefusedAsStartingUntilWired() throws Exception {
    NodeStoqHandler handler = new NodeStoqHandler(null);
    ExecutionException before = assertThrows(ExecutionException.class,
        () -> handler.handleBuffer(PEER, Unpooled.EMPTY_BUFFER).toCompletableFuture().get());
    StoqException refused = (StoqException) before.getCause();
    assertEquals(StoqError.UNAVAILABLE, refused.error());
    assertTrue(refused.getMessage().contains("starting"), refused.getMessage());
    assertEquals(StoqError.UNAVAILABLE,
        assertThrows(StoqException.class, () -> handler.openStream(PEER)).error());

    handler.wire(payload -> CompletableFuture.completedFuture(new byte[] {42}));
    assertEquals(42, handler.handleBuffer(PEER, Unpooled.EMPTY_BUFFER).toCompletableFuture().get()
        .readByte());
  }

  @Test
  void linksAreRefusedUntilTheClusterTransportListensAndWithoutOne() {
    assertNull(new NodeStoqHandler(null).openLink(PEER, Unpooled.EMPTY_BUFFER),
        "with artery-tls the node accepts no links");
    NodeLocalCa ca = NodeLocalCa.create("handler test CA", Duration.ofDays(1));
    StoqIdentity identity = StoqIdentity.of(
        ca.issueIdentity(LeafSpec.of("node-1", CertificateRole.NODE, List.of(), List.of(),
            Duration.ofHours(1))),
        ca.certificate(), Set.of());
    StoqClusterAttachment attachment =
        StoqClusterAttachment.create(StoqSettings.defaults(), StoqTls.defaults(), identity);
    StoqException starting = assertThrows(StoqException.class,
        () -> new NodeStoqHandler(attachment).openLink(PEER, Unpooled.EMPTY_BUFFER));
    assertEquals(StoqError.UNAVAILABLE, starting.error());
    assertTrue(starting.getMessage().contains("starting"), starting.getMessage());
  }
}
