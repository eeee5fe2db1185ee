package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static online.hypermesh.protocol.stoq.StoqTestSupport.join;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Links on real QUIC sockets: open, messages both ways in order, refusal, close, bounded queue. */
class StoqLinkTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    LeakReports.assertNoLeaks();
  }

  /** Echoes every message back on the link; refuses openings that say "no". */
  private static final class EchoLinks implements StoqHandler {
    final CompletableFuture<StoqLink> accepted = new CompletableFuture<>();
    final CompletableFuture<String> peerOpen = new CompletableFuture<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();

    @Override
    public java.util.concurrent.CompletionStage<byte[]> handle(ByteBuf payload) {
      return ECHO.handle(payload);
    }

    @Override
    public StoqLinkHandler openLink(StoqPeer peer, ByteBuf open) {
      String hello = open.toString(java.nio.charset.StandardCharsets.UTF_8);
      if (hello.equals("no")) {
        throw new StoqException(StoqError.UNAUTHENTICATED, "not you, " + peer.commonName());
      }
      peerOpen.complete(peer.commonName() + ":" + hello);
      return new StoqLinkHandler() {
        @Override
        public long maxQueuedBytes() {
          return 1 << 20;
        }

        @Override
        public void opened(StoqLink link) {
          accepted.complete(link);
          link.start(new StoqLinkListener() {
            @Override
            public void onMessage(ByteBuf message) {
              link.send(message.retainedDuplicate());
            }

            @Override
            public void onClosed(String reason) {
              closed.complete(reason);
            }
          });
        }
      };
    }
  }

  private StoqClient connect(StoqHandler handler) {
    StoqServer server = StoqTestSupport.newServer(SETTINGS, handler);
    int port = server.start();
    open.add(server);
    StoqClient client = StoqTestSupport.connect(port);
    open.add(client);
    return client;
  }

  @Test
  void messagesFlowBothWaysInOrderAndCloseEndsBothSides() throws Exception {
    EchoLinks server = new EchoLinks();
    StoqClient client = connect(server);
    StoqLink link = join(client.openLink(utf8("hello"), 1 << 20));
    assertEquals("client-1:hello", join(server.peerOpen));
    assertEquals("node-1", link.peer().commonName());
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    CompletableFuture<String> clientClosed = new CompletableFuture<>();
    link.start(new StoqLinkListener() {
      @Override
      public void onMessage(ByteBuf message) {
        received.add(message.toString(java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public void onClosed(String reason) {
        clientClosed.complete(reason);
      }
    });
    int count = 2_000;
    for (int i = 0; i < count; i++) {
      ByteBuf message = Unpooled.copiedBuffer("m" + i, java.nio.charset.StandardCharsets.UTF_8);
      while (!link.send(message.retain())) {
        Thread.sleep(1);
      }
      message.release();
    }
    for (int i = 0; i < count; i++) {
      assertEquals("m" + i, received.poll(20, TimeUnit.SECONDS));
    }
    // The request path still works on the same connection.
    assertEquals("req", text(join(client.request(utf8("req")))));
    link.close("done");
    assertEquals("done", join(clientClosed));
    assertEquals("peer ended the link", join(server.closed));
    assertFalse(link.send(Unpooled.wrappedBuffer(utf8("late"))), "a closed link takes nothing");
  }

  @Test
  void aRefusedOpeningFailsWithTheServersReason() {
    StoqClient client = connect(new EchoLinks());
    StoqException refused = failure(client.openLink(utf8("no"), 1 << 20));
    assertEquals(StoqError.UNAUTHENTICATED, refused.error());
    assertTrue(refused.getMessage().contains("not you, client-1"), refused.getMessage());
    assertEquals("req", text(join(client.request(utf8("req")))));
  }

  @Test
  void aServerWithoutLinksRefusesThem() {
    StoqClient client = connect(ECHO);
    assertEquals(StoqError.STREAM_REFUSED, failure(client.openLink(utf8("hi"), 1024)).error());
  }

  @Test
  void theSendQueueIsBounded() throws Exception {
    // The server accepts but never starts the link, so nothing is read and QUIC flow control
    // (2 MiB per stream) stops our writes: the queue fills up to its bound, then send refuses.
    StoqServer server = StoqTestSupport.newServer(SETTINGS, new StoqHandler() {
      @Override
      public java.util.concurrent.CompletionStage<byte[]> handle(ByteBuf payload) {
        return ECHO.handle(payload);
      }

      @Override
      public StoqLinkHandler openLink(StoqPeer peer, ByteBuf open) {
        return new StoqLinkHandler() {
          @Override
          public long maxQueuedBytes() {
            return 1024;
          }

          @Override
          public void opened(StoqLink link) {}
        };
      }
    });
    int port = server.start();
    open.add(server);
    StoqClient client = StoqTestSupport.connect(port);
    open.add(client);
    long bound = 256 * 1024;
    StoqLink link = join(client.openLink(utf8("x"), bound));
    byte[] chunk = new byte[16 * 1024];
    int taken = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    boolean refused = false;
    while (System.nanoTime() < deadline) {
      if (link.send(Unpooled.wrappedBuffer(chunk))) {
        taken++;
      } else if (((LinkHandler) link).queuedBytes() > bound - chunk.length) {
        refused = true;
        break;
      } else {
        Thread.sleep(1);
      }
    }
    assertTrue(refused, "send must refuse once the bound is reached");
    long queued = ((LinkHandler) link).queuedBytes();
    assertTrue(queued <= bound, "queued " + queued + " > bound " + bound);
    // Everything taken either went to the stream (within its 2 MiB window) or is queued.
    assertTrue(taken * (long) chunk.length <= SETTINGS.initialMaxStreamData() + bound + 64 * 1024,
        "taken " + taken + " chunks");
  }
}
