package online.hypermesh.actors.hypermesh;

import com.typesafe.config.ConfigFactory;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJunitResource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One AssetEntity on the in-memory journal, with its events, state and commands checked through the Kryo serializer. */
class AssetEntityTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString(
          "pekko.actor.serialize-messages = on\n"
              + "pekko.actor.provider = local\n").withFallback(ConfigFactory.load())));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

  private TestProbe<OwnerIndex.Command> ownerIndex;
  private TestProbe<AssetResponse> client;
  private EventSourcedBehaviorTestKit<AssetEntity.Command, AssetEntity.Event, AssetEntity.State> entity;

  @BeforeEach
  void setUp() {
    ownerIndex = testKit.createTestProbe();
    client = testKit.createTestProbe();
    entity = EventSourcedBehaviorTestKit.create(testKit.system(),
        AssetEntity.create("gpu-1", owner -> ownerIndex.ref(), Duration.ofMillis(500), CLOCK));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static AssetRequest.Register request(String id, String type, long capacity, String owner, String privacy) {
    return new AssetRequest.Register(id, type, capacity, owner, privacy);
  }

  private void registerAndAckIndex(AssetRequest.Register request) {
    entity.runCommand(new AssetEntity.Register(request, client.ref()));
    OwnerIndex.Add add = ownerIndex.expectMessageClass(OwnerIndex.Add.class);
    assertEquals(request.assetId(), add.assetId());
    add.replyTo().tell(new OwnerIndex.Added(add.assetId()));
  }

  @Test
  void registersAfterTheOwnerIndexHoldsTheId() {
    registerAndAckIndex(request("gpu-1", "gpu", 2, "user:alice", "p2p"));
    AssetResponse.Registered registered = client.expectMessageClass(AssetResponse.Registered.class);
    assertEquals(AssetType.GPU, registered.asset().type());
    assertEquals(PrivacyLevel.P2P, registered.asset().privacy());
    assertEquals(CLOCK.millis(), registered.asset().registeredAtMillis());
    assertEquals("hm://user:alice/gpu-1", registered.asset().address());
    assertEquals(registered.asset(), entity.getState().asset());
  }

  @Test
  void aSecondRegistrationIsADuplicateAndChangesNothing() {
    registerAndAckIndex(request("gpu-1", "gpu", 2, "user:alice", "p2p"));
    client.expectMessageClass(AssetResponse.Registered.class);
    AssetEntity.State before = entity.getState();

    var result = entity.<AssetResponse>runCommand(replyTo -> new AssetEntity.Register(request("gpu-1", "gpu", 8, "user:bob", "public"), replyTo));
    AssetResponse.Rejected rejected = assertInstanceOf(AssetResponse.Rejected.class, result.reply());
    assertEquals(AssetResponse.Reason.DUPLICATE, rejected.reason());
    assertTrue(result.hasNoEvents());
    assertEquals(before, entity.getState());
    ownerIndex.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void invalidRegistrationsAreRefusedWithTheBrokenRuleAndPersistNothing() {
    String[][] cases = {
        {"quantum", "2", "user:alice", "p2p", "unknown asset type 'quantum'"},
        {"gpu", "-1", "user:alice", "p2p", "capacity must be positive"},
        {"gpu", "2", "alice", "p2p", "owner 'alice' has an unknown format"},
        {"gpu", "2", "user:alice", "secret", "unknown privacy level 'secret'"},
    };
    for (String[] c : cases) {
      var result = entity.<AssetResponse>runCommand(replyTo ->
          new AssetEntity.Register(request("gpu-1", c[0], Long.parseLong(c[1]), c[2], c[3]), replyTo));
      AssetResponse.Rejected rejected = assertInstanceOf(AssetResponse.Rejected.class, result.reply());
      assertEquals(AssetResponse.Reason.INVALID, rejected.reason());
      assertTrue(rejected.message().contains(c[4]), rejected.message());
      assertTrue(result.hasNoEvents());
      assertNull(entity.getState().asset());
    }
    ownerIndex.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRequestRoutedToTheWrongEntityIsRefused() {
    var result = entity.<AssetResponse>runCommand(replyTo -> new AssetEntity.Register(request("cpu-9", "cpu", 1, "user:alice", "public"), replyTo));
    assertEquals(AssetResponse.Reason.INVALID, ((AssetResponse.Rejected) result.reply()).reason());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void anUnansweringOwnerIndexLeavesTheAssetUnregistered() {
    entity.runCommand(new AssetEntity.Register(request("gpu-1", "gpu", 2, "user:alice", "p2p"), client.ref()));
    ownerIndex.expectMessageClass(OwnerIndex.Add.class);
    AssetResponse.Rejected rejected = client.expectMessageClass(AssetResponse.Rejected.class, Duration.ofSeconds(3));
    assertEquals(AssetResponse.Reason.UNAVAILABLE, rejected.reason());
    assertNull(entity.getState().asset());
  }

  @Test
  void getAnswersNotFoundThenTheAssetAndSurvivesARestart() {
    var missing = entity.<AssetResponse>runCommand(AssetEntity.Get::new);
    assertEquals(AssetResponse.Reason.NOT_FOUND, ((AssetResponse.Rejected) missing.reply()).reason());

    registerAndAckIndex(request("gpu-1", "gpu", 2, "user:alice", "p2p"));
    client.expectMessageClass(AssetResponse.Registered.class);
    entity.restart();
    var found = entity.<AssetResponse>runCommand(AssetEntity.Get::new);
    assertEquals("user:alice", ((AssetResponse.Found) found.reply()).asset().owner());
  }

  private static final Asset CHAIN_ASSET = new Asset("gpu-1", AssetType.GPU, 2, "user:alice", PrivacyLevel.P2P, 1_000);

  private void ackIndex() {
    OwnerIndex.Add add = ownerIndex.expectMessageClass(OwnerIndex.Add.class);
    assertEquals("gpu-1", add.assetId());
    add.replyTo().tell(new OwnerIndex.Added(add.assetId()));
  }

  @Test
  void aCommittedRegistrationIsAppliedOnceHoweverOftenItIsDelivered() {
    TestProbe<AssetResponse> other = testKit.createTestProbe();
    // Two deliveries of the same commit race (the serving node's and an applier's).
    entity.runCommand(new AssetEntity.ApplyCommitted(CHAIN_ASSET, 7, 1, "ab12", client.ref()));
    entity.runCommand(new AssetEntity.ApplyCommitted(CHAIN_ASSET, 7, 1, "ab12", other.ref()));
    ackIndex();
    ackIndex();
    AssetResponse.Registered first = client.expectMessageClass(AssetResponse.Registered.class);
    AssetResponse.Registered second = other.expectMessageClass(AssetResponse.Registered.class);
    assertEquals(new AssetResponse.Registered(CHAIN_ASSET, 7, "ab12"), first);
    assertEquals(first, second);
    assertEquals(new AssetEntity.State(CHAIN_ASSET, 7, "ab12"), entity.getState());

    // After a restart (the keeper replays its journal and delivers again): acknowledged, no event, no index call.
    entity.restart();
    var again = entity.<AssetResponse>runCommand(replyTo -> new AssetEntity.ApplyCommitted(CHAIN_ASSET, 7, 1, "ab12", replyTo));
    assertEquals(first, again.reply());
    assertTrue(again.hasNoEvents());
    ownerIndex.expectNoMessage(Duration.ofMillis(100));
    var found = entity.<AssetResponse>runCommand(AssetEntity.Get::new);
    assertEquals(new AssetResponse.Found(CHAIN_ASSET, 7, "ab12"), found.reply());
  }

  @Test
  void anotherTransactionForAnAppliedAssetIsADuplicateAndChangesNothing() {
    entity.runCommand(new AssetEntity.ApplyCommitted(CHAIN_ASSET, 7, 0, "ab12", client.ref()));
    ackIndex();
    client.expectMessageClass(AssetResponse.Registered.class);
    Asset other = new Asset("gpu-1", AssetType.CPU, 9, "user:bob", PrivacyLevel.PUBLIC, 2_000);
    var result = entity.<AssetResponse>runCommand(replyTo -> new AssetEntity.ApplyCommitted(other, 9, 0, "cd34", replyTo));
    assertEquals(AssetResponse.Reason.DUPLICATE, assertInstanceOf(AssetResponse.Rejected.class, result.reply()).reason());
    assertTrue(result.hasNoEvents());
    assertEquals(new AssetEntity.State(CHAIN_ASSET, 7, "ab12"), entity.getState());
  }
}
