package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.assertError;
import static online.hypermesh.protocol.stoq.StoqTestSupport.concat;
import static online.hypermesh.protocol.stoq.StoqTestSupport.connect;
import static online.hypermesh.protocol.stoq.StoqTestSupport.decodeAll;
import static online.hypermesh.protocol.stoq.StoqTestSupport.eventually;
import static online.hypermesh.protocol.stoq.StoqTestSupport.join;
import static online.hypermesh.protocol.stoq.StoqTestSupport.rawFrame;
import static online.hypermesh.protocol.stoq.StoqTestSupport.requestBytes;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import online.hypermesh.protocol.stoq.StoqTestSupport.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad bytes on real QUIC streams: each gets an ERROR frame with the right code (and, when framing
 * is lost, the stream is ended by the server), while the connection, other streams and new
 * connections keep working.
 */
class StoqMalformedInputTest {

  private static final StoqSettings PLAIN = SETTINGS.withPayloadProtection(false);
  private static StoqServer server;
  private static int port;
  private StoqClient client;

  @BeforeAll
  static void startServer() {
    // Payload protection off: these tests write plain frames by hand on authenticated streams.
    server = StoqTestSupport.newServer(PLAIN, ECHO);
    port = server.start();
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
    LeakReports.assertNoLeaks();
  }

  @AfterEach
  void afterEach() {
    // The same connection still serves normal requests, and so does a fresh one.
    assertEquals("still fine", text(client.requestBlocking(utf8("still fine"))));
    client.close();
    try (StoqClient fresh = connect(port, PLAIN, StoqTls.defaults())) {
      assertEquals("fresh", text(fresh.requestBlocking(utf8("fresh"))));
    }
    eventually("server released every stream", () -> server.activeStreams() == 0);
  }

  private List<Answer> exchange(byte[] bytes, boolean finish) {
    client = client == null ? connect(port, PLAIN, StoqTls.defaults()) : client;
    return decodeAll(join(client.exchangeRaw(bytes, finish)));
  }

  @Test
  void garbageTextIsAnOversizeLengthAndEndsTheStream() {
    // "GET " read as a length prefix is ~1.2 GB. No FIN from us: the server ends the stream.
    List<Answer> answers = exchange(utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), false);
    assertEquals(1, answers.size(), answers.toString());
    assertError(StoqError.FRAME_TOO_LARGE, answers.get(0));
  }

  @Test
  void oversizeLengthPrefixEndsTheStream() {
    byte[] prefix = {0x00, 0x10, 0x00, 0x00}; // 1 MiB + header > 1 MiB max
    List<Answer> answers = exchange(prefix, false);
    assertEquals(1, answers.size());
    assertError(StoqError.FRAME_TOO_LARGE, answers.get(0));
  }

  @Test
  void lengthShorterThanTheHeaderEndsTheStream() {
    List<Answer> answers = exchange(new byte[] {0, 0, 0, 3, 1, 1, 0}, false);
    assertEquals(1, answers.size());
    assertError(StoqError.MALFORMED_FRAME, answers.get(0));
  }

  @Test
  void unknownVersionIsAnsweredAndTheStreamGoesOn() {
    byte[] v9 = rawFrame(9, FrameType.REQUEST.code(), 0, 5, utf8("from the future"));
    List<Answer> answers = exchange(concat(v9, requestBytes(6, "next")), true);
    assertEquals(2, answers.size(), answers.toString());
    assertError(StoqError.UNSUPPORTED_VERSION, answers.get(0));
    assertEquals(0, answers.get(0).correlationId());
    assertEquals(new Answer(FrameType.RESPONSE, 6, null, "next"), answers.get(1));
  }

  @Test
  void unknownFrameTypeIsAnsweredWithItsCorrelationIdAndTheStreamGoesOn() {
    // HANDSHAKE (4) is only valid on the handshake stream, so on a request stream it is refused.
    byte[] handshake = rawFrame(1, 4, 0, 7, utf8("not yet"));
    byte[] experiment = rawFrame(1, 0xEE, 0, 8, new byte[0]);
    List<Answer> answers =
        exchange(concat(handshake, experiment, requestBytes(9, "after")), true);
    assertEquals(3, answers.size(), answers.toString());
    assertError(StoqError.UNKNOWN_FRAME_TYPE, answers.get(0));
    assertEquals(7, answers.get(0).correlationId());
    assertError(StoqError.UNKNOWN_FRAME_TYPE, answers.get(1));
    assertEquals(8, answers.get(1).correlationId());
    assertEquals(new Answer(FrameType.RESPONSE, 9, null, "after"), answers.get(2));
  }

  @Test
  void responseFramesAreNotAcceptedByTheServer() {
    byte[] response = rawFrame(1, FrameType.RESPONSE.code(), 0, 3, utf8("?"));
    List<Answer> answers = exchange(response, true);
    assertEquals(1, answers.size());
    assertError(StoqError.UNKNOWN_FRAME_TYPE, answers.get(0));
    assertEquals(3, answers.get(0).correlationId());
  }

  @Test
  void unknownFlagsAreMalformedButRecoverable() {
    byte[] flagged = rawFrame(1, FrameType.REQUEST.code(), 0x0002, 4, utf8("x"));
    List<Answer> answers = exchange(concat(flagged, requestBytes(5, "y")), true);
    assertEquals(2, answers.size());
    assertError(StoqError.MALFORMED_FRAME, answers.get(0));
    assertEquals(new Answer(FrameType.RESPONSE, 5, null, "y"), answers.get(1));
  }

  @Test
  void truncatedFrameThenFinIsMalformed() {
    byte[] whole = requestBytes(11, "this frame is cut short");
    byte[] cut = Arrays.copyOf(whole, whole.length - 5);
    List<Answer> answers = exchange(concat(requestBytes(10, "before"), cut), true);
    assertEquals(2, answers.size(), answers.toString());
    assertEquals(new Answer(FrameType.RESPONSE, 10, null, "before"), answers.get(0));
    assertError(StoqError.MALFORMED_FRAME, answers.get(1));
    assertTrue(answers.get(1).text().contains("stream ended inside a frame"));
  }

  @Test
  void severalRequestsOnOneStreamEachGetAnAnswer() {
    byte[] three = concat(requestBytes(1, "a"), requestBytes(2, "b"), requestBytes(3, "c"));
    List<Answer> answers = exchange(three, true);
    assertEquals(3, answers.size());
    List<Long> ids = answers.stream().map(Answer::correlationId).sorted().toList();
    assertEquals(List.of(1L, 2L, 3L), ids);
  }

  @Test
  void emptyStreamGetsNoAnswerAndIsReleased() {
    assertEquals(List.of(), exchange(new byte[0], true));
  }

  /**
   * Random blobs (seeded) over the network: the server must always end the stream cleanly with
   * well-formed frames only, whatever it was sent.
   */
  @Test
  void randomBytesAlwaysGetWellFormedAnswers() {
    Random random = new Random(0xBADF00DL);
    client = connect(port, PLAIN, StoqTls.defaults());
    List<CompletionStage<byte[]>> stages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] blob;
      if (random.nextBoolean()) {
        blob = new byte[random.nextInt(200)];
        random.nextBytes(blob);
      } else {
        blob = requestBytes(i, "r" + i);
        for (int k = random.nextInt(3); k >= 0; k--) {
          blob[random.nextInt(FrameCodec.MIN_FRAME_BYTES)] = (byte) random.nextInt(256);
        }
      }
      stages.add(client.exchangeRaw(blob, true));
    }
    for (CompletionStage<byte[]> stage : stages) {
      for (Answer answer : decodeAll(join(stage))) {
        assertTrue(
            answer.type() == FrameType.RESPONSE || answer.type() == FrameType.ERROR,
            answer.toString());
      }
    }
  }
}
