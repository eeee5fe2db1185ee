package online.hypermesh.actors.hypermesh;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnerIndexTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
          .withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void addingIsIdempotentAndListingIsSortedAcrossRestarts() {
    var index = EventSourcedBehaviorTestKit.<OwnerIndex.Command, OwnerIndex.Event, OwnerIndex.State>create(
        testKit.system(), OwnerIndex.create("user:alice"));
    for (String id : List.of("mem-1", "cpu-1", "gpu-1")) {
      var result = index.<OwnerIndex.Added>runCommand(replyTo -> new OwnerIndex.Add(id, replyTo));
      assertEquals(new OwnerIndex.AssetAdded(id), result.event());
    }
    var again = index.<OwnerIndex.Added>runCommand(replyTo -> new OwnerIndex.Add("cpu-1", replyTo));
    assertTrue(again.hasNoEvents());
    assertEquals(new OwnerIndex.Added("cpu-1"), again.reply());

    index.restart();
    var listed = index.<OwnerIndex.Ids>runCommand(OwnerIndex.ListIds::new);
    assertEquals(List.of("cpu-1", "gpu-1", "mem-1"), listed.reply().assetIds());
  }
}
