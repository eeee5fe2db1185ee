package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import online.hypermesh.protocol.serialization.KryoSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every validator command, event and the snapshot state go through Pekko serialization, i.e. Kryo. */
class ValidatorSerializationTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyValidatorMessageRoundTripsThroughKryo() {
    var replyTo = testKit.<Validator.Status>createTestProbe().ref();
    var validatorRef = testKit.<Validator.Command>createTestProbe().ref();
    byte[] id = new byte[32];
    id[5] = 7;
    List<Object> samples = List.of(
        new Validator.Deliver(2, 1, 40, new byte[] {1, 2, 3}, validatorRef),
        new Validator.EpochEnding(0, List.of(new byte[] {1}, new byte[] {2, 3}), new byte[] {4}),
        new Validator.EpochCatchUp(0, List.of(new byte[] {1}), List.of(new byte[] {2})),
        new Validator.Submit(List.of(new Validator.SubmittedTransaction(id, new byte[] {9}))),
        new Validator.SubmittedTransaction(id, new byte[] {4, 5}),
        new Validator.GetStatus(replyTo),
        new Validator.Start(1),
        new Validator.RoundTimerFired(0, 12),
        new Validator.ProposalTimerFired(1, 13),
        new Validator.Status(1, 40, id, 51, 50, 3, 2),
        new Validator.SafetyStateChanged(new byte[] {1, 0, 0}),
        new Validator.BlockCommitted(4, 6, id, new byte[] {8, 8}, new byte[] {7}, 40, id, 1234),
        new Validator.EpochStarted(List.of(id, id), id, 9, 41, id, 1300,
            List.of(new byte[] {5}), new byte[] {6}),
        new Validator.State(new byte[] {1}, 4, 6, id, 40, id, 1234, List.of(
            new Validator.EpochStarted(List.of(id), id, 3, 4, id, 5, List.of(), new byte[] {7}))),
        new Validator.State(null, 0, 0, null, 0, null, 0, List.of()));

    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    List<Class<?>> covered = new ArrayList<>();
    for (Object sample : samples) {
      var serializer = serialization.findSerializerFor(sample);
      assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), sample.getClass().getName());
      byte[] bytes = serialization.serialize(sample).get();
      Object back = serialization.deserialize(bytes, KryoSerializer.IDENTIFIER,
          Serializers.manifestFor(serializer, sample)).get();
      assertEquals(sample.getClass(), back.getClass());
      // Records holding arrays compare them by identity: compare the deterministic encodings.
      assertArrayEquals(bytes, serialization.serialize(back).get(), sample.getClass().getName());
      covered.add(sample.getClass());
    }
    for (Class<?> root : List.of(Validator.Command.class, Validator.Event.class)) {
      for (Class<?> sub : root.getPermittedSubclasses()) {
        assertTrue(covered.contains(sub), "no round-trip sample for " + sub.getName());
      }
    }
  }
}
