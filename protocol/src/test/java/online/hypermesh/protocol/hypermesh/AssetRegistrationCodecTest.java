package online.hypermesh.protocol.hypermesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssetRegistrationCodecTest {

  private static final AssetRegistration SAMPLE =
      new AssetRegistration("gpu-1", "gpu", 2, "user:alice", "p2p", "operator");

  private static String malformed(byte[] bytes) {
    return assertInstanceOf(AssetRegistrationCodec.Malformed.class,
        AssetRegistrationCodec.decode(bytes)).reason();
  }

  @Test
  void roundTripsAndHasOneEncoding() {
    byte[] bytes = AssetRegistrationCodec.encode(SAMPLE);
    AssetRegistration back = assertInstanceOf(AssetRegistrationCodec.Valid.class,
        AssetRegistrationCodec.decode(bytes)).registration();
    assertEquals(SAMPLE, back);
    assertArrayEquals(bytes, AssetRegistrationCodec.encode(back));
    assertEquals(1, bytes[0], "version byte");
    AssetRegistration anonymous = new AssetRegistration("a", "cpu", Long.MAX_VALUE, "key:" + "ab".repeat(32), "public", "");
    assertEquals(anonymous, ((AssetRegistrationCodec.Valid) AssetRegistrationCodec.decode(
        AssetRegistrationCodec.encode(anonymous))).registration());
  }

  @Test
  void malformedInputIsNamed() {
    byte[] good = AssetRegistrationCodec.encode(SAMPLE);
    assertEquals("empty payload", malformed(new byte[0]));
    assertEquals("empty payload", malformed(null));
    byte[] version = good.clone();
    version[0] = 2;
    assertTrue(malformed(version).contains("unknown asset registration version 2"), malformed(version));
    assertTrue(malformed(Arrays.copyOf(good, good.length - 3)).contains("requester"),
        malformed(Arrays.copyOf(good, good.length - 3)));
    assertTrue(malformed(Arrays.copyOf(good, 10)).contains("truncated"), malformed(Arrays.copyOf(good, 10)));
    byte[] trailing = Arrays.copyOf(good, good.length + 2);
    assertEquals("2 bytes after the end of the registration", malformed(trailing));
    byte[] emptyId = good.clone();
    emptyId[1] = 0;
    assertEquals("asset id length 0 is outside 1..128", malformed(emptyId));
    byte[] longId = good.clone();
    longId[1] = (byte) 200;
    assertEquals("asset id length 200 is outside 1..128", malformed(longId));
    byte[] badUtf8 = good.clone();
    badUtf8[2] = (byte) 0xC3; // a lead byte followed by an ASCII byte
    assertEquals("asset id is not valid UTF-8", malformed(badUtf8));
    // What `chain submit` sends is not a registration.
    assertTrue(malformed("hello chain".getBytes(StandardCharsets.UTF_8)).startsWith("unknown asset registration version"));
  }

  @Test
  void encodingRefusesFieldsOverTheirBound() {
    assertThrows(IllegalArgumentException.class, () -> AssetRegistrationCodec.encode(
        new AssetRegistration("x".repeat(129), "gpu", 1, "user:alice", "p2p", "")));
    assertThrows(IllegalArgumentException.class, () -> AssetRegistrationCodec.encode(
        new AssetRegistration("x", "", 1, "user:alice", "p2p", "")));
    assertThrows(IllegalArgumentException.class, () -> AssetRegistrationCodec.encode(
        new AssetRegistration("x", "gpu", 1, "user:alice", "p2p", "r".repeat(256))));
  }

  @Test
  void randomAndMutatedBytesNeverThrow() {
    Random random = new Random(42);
    byte[] good = AssetRegistrationCodec.encode(SAMPLE);
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes;
      if (i % 2 == 0) {
        bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
      } else {
        bytes = good.clone();
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      AssetRegistrationCodec.Decoded decoded = AssetRegistrationCodec.decode(bytes);
      if (decoded instanceof AssetRegistrationCodec.Valid v) {
        valid++;
        assertArrayEquals(bytes, AssetRegistrationCodec.encode(v.registration()), "one encoding");
      } else {
        assertTrue(!((AssetRegistrationCodec.Malformed) decoded).reason().isBlank());
      }
    }
    assertTrue(valid > 0, "some mutations of a valid encoding stay valid");
  }
}
