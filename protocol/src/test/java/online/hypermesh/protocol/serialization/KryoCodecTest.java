package online.hypermesh.protocol.serialization;

import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KryoCodecTest {

  private final KryoCodec codec = KryoCodec.of(new ProtocolRegistrar());
  private static final Asset ASSET = new Asset("gpu-1", AssetType.GPU, 2, "user:alice", PrivacyLevel.P2P, 1_700_000_000_000L);

  /** One sample of every registered API message; the registry check below fails if one is missing here. */
  static List<Object> samples() {
    return List.of(
        ASSET,
        new AssetRequest.Register("cpu-1", "cpu", 4000, "user:alice", "private"),
        new AssetRequest.Get("cpu-1"),
        new AssetRequest.ListByOwner("user:alice"),
        new AssetResponse.Registered(ASSET),
        new AssetResponse.Found(ASSET),
        new AssetResponse.Listed("user:alice", List.of(ASSET, new Asset("m", AssetType.MEMORY, 1L << 34, "user:alice", PrivacyLevel.PUBLIC, 1))),
        new AssetResponse.Listed("user:bob", List.of()),
        new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE, "asset cpu-1 exists"));
  }

  @Test
  void everyApiMessageRoundTrips() {
    for (Object sample : samples()) {
      byte[] bytes = codec.encode(sample);
      assertEquals(sample, codec.decode(bytes), "byte[] round trip of " + sample);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
      assertEquals(sample, codec.decode(direct), "direct buffer round trip of " + sample);
    }
  }

  @Test
  void samplesCoverEveryConcreteApiClass() {
    List<Class<?>> sampled = samples().stream().<Class<?>>map(Object::getClass).toList();
    for (Class<?> root : List.of(AssetRequest.class, AssetResponse.class)) {
      for (Class<?> sub : root.getPermittedSubclasses()) {
        assertTrue(sampled.contains(sub), "no round-trip sample for " + sub.getName());
      }
    }
  }

  @Test
  void decodedListsAreImmutable() {
    AssetResponse.Listed listed = (AssetResponse.Listed) codec.decode(codec.encode(new AssetResponse.Listed("user:a", List.of(ASSET))));
    assertThrows(UnsupportedOperationException.class, () -> listed.assets().add(ASSET));
  }

  sealed interface Incomplete extends KryoMessage {
    record Known(String x) implements Incomplete {
    }

    record Forgotten(String y) implements Incomplete {
    }
  }

  record Holder(Unlisted inner) implements KryoMessage {
  }

  record Unlisted(int v) {
  }

  @Test
  void aSealedRootWithAnUnregisteredImplementationFailsAtConstruction() {
    IllegalStateException error = assertThrows(IllegalStateException.class,
        () -> KryoCodec.of(r -> r.register(120, Incomplete.Known.class).sealedRoot(Incomplete.class)));
    assertTrue(error.getMessage().contains("Forgotten"), error.getMessage());
  }

  @Test
  void anUnregisteredFieldTypeFailsAtConstruction() {
    IllegalStateException error = assertThrows(IllegalStateException.class, () -> KryoCodec.of(r -> r.register(120, Holder.class)));
    assertTrue(error.getMessage().contains("Unlisted"), error.getMessage());
  }

  @Test
  void duplicateAndReservedIdsAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> KryoCodec.of(r -> r.register(120, Incomplete.Known.class).register(120, Incomplete.Forgotten.class)));
    assertThrows(IllegalArgumentException.class, () -> KryoCodec.of(r -> r.register(5, Incomplete.Known.class)));
  }

  @Test
  void encodingAnUnregisteredClassIsAClearError() {
    KryoCodecException error = assertThrows(KryoCodecException.class, () -> codec.encode(new Unlisted(1)));
    assertTrue(error.getMessage().contains("Unlisted"), error.getMessage());
  }

  @Test
  void aForgedStringLengthIsRefusedWithoutAllocating() {
    byte[] valid = codec.encode(new AssetRequest.Get("abc"));
    // class id varint, then the string's length+1 varint: replace it by a huge varint.
    byte[] forged = {valid[0], valid[1], (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'a'};
    assertThrows(KryoCodecException.class, () -> codec.decode(forged));
  }

  @Test
  void trailingBytesAndEmptyPayloadsAreRefused() {
    byte[] valid = codec.encode(new AssetRequest.Get("abc"));
    byte[] longer = java.util.Arrays.copyOf(valid, valid.length + 1);
    assertThrows(KryoCodecException.class, () -> codec.decode(longer));
    assertThrows(KryoCodecException.class, () -> codec.decode(new byte[0]));
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButACodecError() {
    Random random = new Random(42);
    for (int i = 0; i < 50_000; i++) {
      byte[] input = new byte[1 + random.nextInt(40)];
      random.nextBytes(input);
      if (i % 3 == 0 && input.length > 1) {
        byte[] valid = codec.encode(samples().get(random.nextInt(samples().size())));
        input = java.util.Arrays.copyOf(valid, valid.length);
        input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
      }
      try {
        Object decoded = codec.decode(input);
        assertTrue(decoded instanceof KryoMessage, "decoded a non-message " + decoded.getClass());
      } catch (KryoCodecException expected) {
        assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
      }
    }
  }

  @Test
  void encodingIsStableForTheSameValue() {
    assertArrayEquals(codec.encode(ASSET), codec.encode(ASSET));
  }
}
