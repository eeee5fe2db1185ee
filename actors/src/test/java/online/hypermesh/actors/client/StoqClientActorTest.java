package online.hypermesh.actors.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import online.hypermesh.actors.client.StoqClientActor.Command;
import online.hypermesh.actors.client.StoqClientActor.Reply;
import online.hypermesh.actors.client.StoqClientActor.Send;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link StoqClientActor} against a real {@link StoqServer} on ::1. */
@Timeout(30)
class StoqClientActorTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final KryoCodec CODEC = KryoCodec.of(new ProtocolRegistrar());
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Server: generous handler timeout, so the actor's own deadline is what fires. */
  private static final StoqSettings SERVER =
      StoqSettings.defaults()
          .withBind(StoqSettings.ipv6("::1"), 0)
          .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(2));
  /** Client: short handshake timeout so attempts against a dead port end quickly. */
  private static final StoqSettings CLIENT =
      StoqSettings.defaults().withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(1));

  private StoqServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Answers Get with Found (or never, for id "slow"), everything else with Rejected. */
  private static CompletionStage<byte[]> handle(ByteBuf payload) {
    Object request = CODEC.decode(ByteBufUtil.getBytes(payload));
    if (request instanceof AssetRequest.Get get) {
      if (get.assetId().equals("slow")) {
        return new CompletableFuture<>(); // never answered
      }
      return CompletableFuture.completedFuture(CODEC.encode(new AssetResponse.Found(asset(get.assetId()))));
    }
    if (request instanceof AssetRequest) {
      return CompletableFuture.completedFuture(
          CODEC.encode(new AssetResponse.Rejected(AssetResponse.Reason.INVALID, "test server")));
    }
    return CompletableFuture.failedFuture(new StoqException(StoqError.UNKNOWN_REQUEST_TYPE, "?"));
  }

  private static Asset asset(String id) {
    return new Asset(id, AssetType.CPU, 1, "user:test", PrivacyLevel.PRIVATE, 1);
  }

  @SuppressWarnings("deprecation") // dev-mode server (no STOQ handshake), as StoqConnector.development
  private int startServer(int port) {
    server = new StoqServer(SERVER.withBind(StoqSettings.ipv6("::1"), port), StoqClientActorTest::handle);
    return server.start();
  }

  /** A port that was free a moment ago (bound, remembered, released). */
  private int freePort() {
    int port = startServer(0);
    server.close();
    server = null;
    return port;
  }

  private static ActorRef<Command> client(int port, int outbox, Duration requestTimeout) {
    StoqClientOptions options =
        StoqClientOptions.defaults(outbox)
            .withRequestTimeout(requestTimeout)
            .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400), 0.2);
    return testKit.spawn(
        StoqClientActor.create(StoqConnector.development("::1", port, CLIENT), options));
  }

  private static <T extends Reply> T expect(TestProbe<Reply> probe, Class<T> type) {
    Reply reply = probe.receiveMessage(WAIT);
    return assertInstanceOf(type, reply, "got " + reply);
  }

  private static void expectFound(TestProbe<Reply> probe, String id) {
    Reply.Ok ok = expect(probe, Reply.Ok.class);
    assertEquals(new AssetResponse.Found(asset(id)), ok.response());
  }

  @Test
  void roundTripAndGracefulStop() {
    int port = startServer(0);
    ActorRef<Command> client = client(port, 10, Duration.ofSeconds(5));
    TestProbe<Reply> probe = testKit.createTestProbe();

    client.tell(new Send(new AssetRequest.Get("a"), probe.getRef()));
    expectFound(probe, "a");
    client.tell(new Send(new AssetRequest.ListByOwner("user:x"), probe.getRef()));
    assertInstanceOf(AssetResponse.Rejected.class, expect(probe, Reply.Ok.class).response());

    assertEquals(1, server.activeConnections());
    client.tell(StoqClientActor.Stop.INSTANCE);
    probe.expectTerminated(client, WAIT);
    probe.awaitAssert(WAIT, () -> {
      assertEquals(0, server.activeConnections(), "the actor closed its connection");
      return null;
    });
  }

  @Test
  void outboxIsDrainedOnceTheServerComesUp() {
    int port = freePort();
    ActorRef<Command> client = client(port, 10, Duration.ofSeconds(15));
    TestProbe<Reply> probe = testKit.createTestProbe();
    for (String id : List.of("1", "2", "3")) {
      client.tell(new Send(new AssetRequest.Get(id), probe.getRef()));
    }
    probe.expectNoMessage(Duration.ofMillis(1500)); // a few failed attempts, nothing answered yet
    startServer(port);
    expectFound(probe, "1");
    expectFound(probe, "2");
    expectFound(probe, "3");
    client.tell(StoqClientActor.Stop.INSTANCE);
  }

  @Test
  void inFlightRequestsFailWhenTheServerGoesAndLaterOnesSucceedWhenItIsBack() {
    int port = startServer(0);
    ActorRef<Command> client = client(port, 10, Duration.ofSeconds(15));
    TestProbe<Reply> probe = testKit.createTestProbe();
    client.tell(new Send(new AssetRequest.Get("a"), probe.getRef()));
    expectFound(probe, "a");

    client.tell(new Send(new AssetRequest.Get("slow"), probe.getRef()));
    client.tell(new Send(new AssetRequest.Get("slow"), probe.getRef()));
    probe.expectNoMessage(Duration.ofMillis(300)); // both are in flight
    server.close();
    server = null;
    for (int i = 0; i < 2; i++) {
      Reply.Failed failed = expect(probe, Reply.Failed.class);
      assertEquals(StoqError.UNAVAILABLE, failed.code(), failed.reason());
    }

    client.tell(new Send(new AssetRequest.Get("b"), probe.getRef())); // waits in the outbox
    startServer(port);
    expectFound(probe, "b");
    client.tell(new Send(new AssetRequest.Get("c"), probe.getRef()));
    expectFound(probe, "c");
    client.tell(StoqClientActor.Stop.INSTANCE);
  }

  @Test
  void outboxOverflowIsAnsweredAtOnceAndStopFailsTheRest() {
    int port = freePort();
    ActorRef<Command> client = client(port, 2, Duration.ofSeconds(15));
    TestProbe<Reply> probe = testKit.createTestProbe();
    TestProbe<Reply> third = testKit.createTestProbe();
    client.tell(new Send(new AssetRequest.Get("1"), probe.getRef()));
    client.tell(new Send(new AssetRequest.Get("2"), probe.getRef()));
    client.tell(new Send(new AssetRequest.Get("3"), third.getRef()));
    Reply.Failed full = expect(third, Reply.Failed.class);
    assertEquals(new Reply.Failed(StoqError.UNAVAILABLE, "outbox full"), full);
    probe.expectNoMessage(Duration.ofMillis(200));

    client.tell(StoqClientActor.Stop.INSTANCE);
    for (int i = 0; i < 2; i++) {
      assertEquals(StoqError.UNAVAILABLE, expect(probe, Reply.Failed.class).code());
    }
    probe.expectTerminated(client, WAIT);
  }

  @Test
  void requestTimesOutWhenTheHandlerNeverAnswers() {
    int port = startServer(0);
    ActorRef<Command> client = client(port, 10, Duration.ofMillis(500));
    TestProbe<Reply> probe = testKit.createTestProbe();
    long started = System.nanoTime();
    client.tell(new Send(new AssetRequest.Get("slow"), probe.getRef()));
    Reply.Failed failed = expect(probe, Reply.Failed.class);
    assertEquals(StoqError.TIMEOUT, failed.code(), failed.reason());
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(millis >= 450 && millis < 5_000, "timed out after " + millis + " ms");
    // The connection is still good for the next request.
    client.tell(new Send(new AssetRequest.Get("a"), probe.getRef()));
    expectFound(probe, "a");
    client.tell(StoqClientActor.Stop.INSTANCE);
  }

  @Test
  void requestsWaitingForAConnectionAlsoTimeOut() {
    int port = freePort();
    ActorRef<Command> client = client(port, 10, Duration.ofMillis(300));
    TestProbe<Reply> probe = testKit.createTestProbe();
    client.tell(new Send(new AssetRequest.Get("a"), probe.getRef()));
    assertEquals(StoqError.TIMEOUT, expect(probe, Reply.Failed.class).code());
    client.tell(StoqClientActor.Stop.INSTANCE);
  }
}
