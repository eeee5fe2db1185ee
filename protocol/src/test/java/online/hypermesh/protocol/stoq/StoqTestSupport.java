package online.hypermesh.protocol.stoq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Shared helpers for the socket-level STOQ tests. */
final class StoqTestSupport {

  static final StoqSettings SETTINGS =
      StoqSettings.defaults()
          .withBind(StoqSettings.ipv6("::1"), 0)
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));

  static final StoqHandler ECHO =
      payload -> {
        byte[] bytes = new byte[payload.readableBytes()];
        payload.readBytes(bytes);
        return CompletableFuture.completedFuture(bytes);
      };

  /** One CA for all socket tests; the server is "node-1" at ::1, the client "client-1". */
  static final NodeLocalCa CA = NodeLocalCa.create("hypermesh test CA", Duration.ofDays(1));

  static final Identity SERVER =
      CA.issueIdentity(
          LeafSpec.of("node-1", CertificateRole.NODE, List.of("node-1.mesh.test"),
              List.of(StoqSettings.ipv6("::1")), Duration.ofHours(1)));

  static final Identity CLIENT =
      CA.issueIdentity(
          LeafSpec.of("client-1", CertificateRole.CLIENT, List.of(), List.of(),
              Duration.ofHours(1)));

  static final StoqIdentity SERVER_ID = StoqIdentity.of(SERVER, CA.certificate(), Set.of());
  static final StoqIdentity CLIENT_ID = StoqIdentity.of(CLIENT, CA.certificate(), Set.of());

  private StoqTestSupport() {}

  /** An authenticating server with the test CA's node identity. */
  static StoqServer newServer(StoqSettings settings, StoqHandler handler) {
    return new StoqServer(settings, handler, StoqTls.defaults(), SERVER_ID);
  }

  static StoqClient connect(int port) {
    return connect(port, SETTINGS, StoqTls.defaults());
  }

  static StoqClient connect(int port, StoqSettings settings, StoqTls tls) {
    return StoqClient.connectBlocking("::1", port, settings, tls, CLIENT_ID, "::1");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("stage failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static StoqException failure(CompletionStage<?> stage) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> stage.toCompletableFuture().get(20, TimeUnit.SECONDS));
    if (e.getCause() instanceof StoqException stoq) {
      return stoq;
    }
    throw new AssertionError("expected a StoqException, got " + e.getCause(), e.getCause());
  }

  /** A frame as raw bytes, with any version/type/flags (for malformed-input tests). */
  static byte[] rawFrame(int version, int type, int flags, long correlationId, byte[] payload) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeInt(FrameCodec.HEADER_BYTES + payload.length);
    buf.writeByte(version);
    buf.writeByte(type);
    buf.writeShort(flags);
    buf.writeLong(correlationId);
    buf.writeBytes(payload);
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }

  static byte[] requestBytes(long correlationId, String payload) {
    return rawFrame(FrameCodec.VERSION, FrameType.REQUEST.code(), 0, correlationId, utf8(payload));
  }

  static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  /** What a server answered on a raw stream, decoded strictly. */
  record Answer(FrameType type, long correlationId, StoqError error, String text) {}

  static List<Answer> decodeAll(byte[] bytes) {
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    List<Answer> answers = new ArrayList<>();
    Frame frame;
    while ((frame = FrameCodec.decode(in, SETTINGS.maxFrameBytes())) != null) {
      try {
        if (frame.type() == FrameType.ERROR) {
          ErrorPayload error = ErrorPayload.decode(frame.payload());
          answers.add(
              new Answer(
                  frame.type(),
                  frame.correlationId(),
                  StoqError.fromCode(error.code()).orElseThrow(),
                  error.message()));
        } else {
          byte[] payload = new byte[frame.payload().readableBytes()];
          frame.payload().readBytes(payload);
          answers.add(new Answer(frame.type(), frame.correlationId(), null, text(payload)));
        }
      } finally {
        frame.release();
      }
    }
    FrameCodec.requireNoPartialFrame(in);
    return answers;
  }

  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static void assertError(StoqError expected, Answer answer) {
    assertEquals(FrameType.ERROR, answer.type(), "expected an ERROR frame, got " + answer);
    assertEquals(expected, answer.error(), answer.text());
  }
}
