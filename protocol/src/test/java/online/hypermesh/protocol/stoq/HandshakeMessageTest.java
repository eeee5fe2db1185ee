package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SERVER_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The handshake messages' strict parser and the handshake engines without sockets. */
class HandshakeMessageTest {

  private static final byte[] BINDING = new byte[32];

  private static StoqError parseError(byte[] wire) {
    return assertThrows(StoqException.class, () -> HandshakeMessage.parse(wire)).error();
  }

  @Test
  void fullHandshakeInMemoryAgreesOnKeysAndPeers() {
    StoqHandshake.Client client = new StoqHandshake.Client(CLIENT_ID, "::1", true, BINDING);
    StoqHandshake.Server server = new StoqHandshake.Server(SERVER_ID, false, BINDING, null);
    byte[] hello = client.hello().encode();
    HandshakeMessage.ServerHello serverHello =
        server.onClientHello((HandshakeMessage.ClientHello) HandshakeMessage.parse(hello), hello);
    byte[] wire = serverHello.encode();
    HandshakeMessage.ClientFinished finished =
        client.onServerHello((HandshakeMessage.ServerHello) HandshakeMessage.parse(wire), null);
    StoqHandshake.Established done =
        server.onClientFinished(
            (HandshakeMessage.ClientFinished) HandshakeMessage.parse(finished.encode()));
    StoqSession clientSession =
        client.onServerFinished(
            (HandshakeMessage.ServerFinished) HandshakeMessage.parse(done.finished().encode()));
    assertEquals("client-1", done.session().peer().commonName());
    assertEquals("node-1", clientSession.peer().commonName());
    assertTrue(clientSession.payloadProtection() && done.session().payloadProtection());
    Frame sealed =
        clientSession.seal(Frame.request(7, io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2})),
            4, 0);
    Frame opened = done.session().open(sealed, 4, 0);
    assertArrayEquals(new byte[] {1, 2}, io.netty.buffer.ByteBufUtil.getBytes(opened.payload()));
    opened.release();
    // The same frame under another stream id or counter does not open.
    Frame again =
        clientSession.seal(Frame.request(7, io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1})),
            4, 1);
    assertEquals(StoqError.SEAL_FAILED,
        assertThrows(StoqException.class, () -> done.session().open(again, 8, 1)).error());
  }

  @Test
  void preciseErrorsForMalformedMessages() {
    StoqHandshake.Client client = new StoqHandshake.Client(CLIENT_ID, "::1", true, BINDING);
    byte[] hello = client.hello().encode();
    assertEquals(StoqError.MALFORMED_FRAME, parseError(new byte[0]));
    assertEquals(StoqError.MALFORMED_FRAME, parseError(new byte[] {9}));
    assertEquals(StoqError.MALFORMED_FRAME, parseError(Arrays.copyOf(hello, hello.length - 1)));
    assertEquals(StoqError.MALFORMED_FRAME, parseError(Arrays.copyOf(hello, hello.length + 1)));
    byte[] options = hello.clone();
    options[3] = (byte) 0x80;
    assertEquals(StoqError.MALFORMED_FRAME, parseError(options));
    byte[] version = hello.clone();
    version[2] = 7;
    assertEquals(StoqError.UNSUPPORTED_VERSION, parseError(version));
    int countAt = 1 + 2 + 1 + 32;
    byte[] zero = hello.clone();
    zero[countAt] = 0;
    assertEquals(StoqError.MALFORMED_FRAME, parseError(zero));
    byte[] many = hello.clone();
    many[countAt] = (byte) 200;
    assertEquals(StoqError.FRAME_TOO_LARGE, parseError(many));
    byte[] bigCert = hello.clone();
    bigCert[countAt + 1] = (byte) 0xFF;
    assertEquals(StoqError.FRAME_TOO_LARGE, parseError(bigCert));
    byte[] notDer = hello.clone();
    notDer[countAt + 3] ^= (byte) 0xFF; // first byte of the first certificate's DER
    assertEquals(StoqError.MALFORMED_FRAME, parseError(notDer));
    assertEquals(StoqError.MALFORMED_FRAME,
        parseError(new HandshakeMessage.ClientFinished(new byte[0]).encode()));
    assertEquals(StoqError.FRAME_TOO_LARGE,
        parseError(new HandshakeMessage.ClientFinished(new byte[2000]).encode()));
    assertEquals(StoqError.MALFORMED_FRAME, parseError(new byte[] {4, 1, 2, 3}));
    // Short ML-KEM key.
    HandshakeMessage.ClientHello parsed = (HandshakeMessage.ClientHello) HandshakeMessage.parse(hello);
    byte[] shortKey =
        new HandshakeMessage.ClientHello(1, 1, parsed.nonce(), parsed.certificates(), new byte[8])
            .encode();
    assertEquals(StoqError.MALFORMED_FRAME, parseError(shortKey));
  }

  /**
   * Seeded random inputs: pure garbage and mutations of valid messages (bytes flipped, cut,
   * extended). The parser may accept or refuse, but only ever with StoqException.
   */
  @Test
  void randomInputsOnlyEverGiveStoqExceptions() {
    StoqHandshake.Client client = new StoqHandshake.Client(CLIENT_ID, "::1", true, BINDING);
    StoqHandshake.Server server = new StoqHandshake.Server(SERVER_ID, true, BINDING, null);
    byte[] hello = client.hello().encode();
    byte[] serverHello =
        server.onClientHello((HandshakeMessage.ClientHello) HandshakeMessage.parse(hello), hello)
            .encode();
    List<byte[]> seeds =
        List.of(hello, serverHello, new HandshakeMessage.ClientFinished(new byte[700]).encode(),
            new HandshakeMessage.ServerFinished(new byte[16]).encode());
    Random random = new Random(0x5704_5704L);
    int accepted = 0;
    int refused = 0;
    int inputs = 200_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < inputs; i++) {
      byte[] input;
      int kind = random.nextInt(4);
      if (kind == 0) {
        input = new byte[random.nextInt(64)];
        random.nextBytes(input);
        if (input.length > 0) {
          input[0] = (byte) (1 + random.nextInt(4)); // mostly valid type, garbage after
        }
      } else {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        input = seed.clone();
        if (kind == 1) {
          for (int k = 1 + random.nextInt(3); k > 0; k--) {
            // Mostly in the structural head and the lengths, where the parser branches.
            int at = random.nextBoolean() ? random.nextInt(Math.min(48, input.length))
                : random.nextInt(input.length);
            input[at] = (byte) random.nextInt(256);
          }
        } else if (kind == 2) {
          input = Arrays.copyOf(input, random.nextInt(input.length + 1));
        } else {
          input = Arrays.copyOf(input, input.length + 1 + random.nextInt(8));
        }
      }
      try {
        HandshakeMessage.parse(input);
        accepted++;
      } catch (StoqException expected) {
        refused++;
      } catch (Throwable other) {
        fail("input " + i + " threw " + other, other);
      }
    }
    System.out.printf("handshake parser: %d inputs, %d accepted, %d refused, %d ms%n",
        inputs, accepted, refused, (System.nanoTime() - t0) / 1_000_000);
    assertTrue(refused > inputs / 2, "most random inputs must be refused");
    assertTrue(accepted > 0, "some mutations (e.g. of nonces and signatures) still parse");
  }
}
