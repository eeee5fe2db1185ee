package online.hypermesh.actors.hypermesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The applier with a probe for every entity: chain order, one delivery in flight, retried until answered. */
class AssetApplierTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Asset asset(String id) {
    return new Asset(id, AssetType.CPU, 1, "user:alice", PrivacyLevel.PUBLIC, 1);
  }

  @Test
  void deliversInChainOrderAndRetriesUntilTheEntityAnswers() {
    TestProbe<AssetEntity.Command> entities = testKit.createTestProbe();
    ActorRef<AssetApplier.Command> applier = testKit.spawn(
        AssetApplier.create(id -> entities.ref(), Duration.ofMillis(300)));
    applier.tell(new AssetApplier.Apply(asset("a"), 3, 0, "t1"));
    applier.tell(new AssetApplier.Apply(asset("b"), 3, 1, "t2"));

    AssetEntity.ApplyCommitted first = entities.expectMessageClass(AssetEntity.ApplyCommitted.class);
    assertEquals("t1", first.transactionId());
    // Unanswered: nothing else goes out before the retry of the same one.
    AssetEntity.ApplyCommitted retried = entities.expectMessageClass(AssetEntity.ApplyCommitted.class, Duration.ofSeconds(3));
    assertEquals("t1", retried.transactionId());
    retried.replyTo().tell(new AssetResponse.Rejected(AssetResponse.Reason.UNAVAILABLE, "owner index did not answer"));
    AssetEntity.ApplyCommitted third = entities.expectMessageClass(AssetEntity.ApplyCommitted.class, Duration.ofSeconds(5));
    assertEquals("t1", third.transactionId(), "UNAVAILABLE is retried");
    third.replyTo().tell(new AssetResponse.Registered(asset("a"), 3, "t1"));

    AssetEntity.ApplyCommitted next = entities.expectMessageClass(AssetEntity.ApplyCommitted.class);
    assertEquals("t2", next.transactionId());
    assertEquals(1, next.index());
    next.replyTo().tell(new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE, "already registered"));
    entities.expectNoMessage(Duration.ofMillis(700));
  }
}
