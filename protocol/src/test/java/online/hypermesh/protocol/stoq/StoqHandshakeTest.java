package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.CA;
import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT;
import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SERVER;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.decodeAll;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static online.hypermesh.protocol.stoq.StoqTestSupport.join;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqTestSupport.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The STOQ handshake and payload protection on real QUIC sockets on ::1. */
class StoqHandshakeTest {

  private static final Logger log = LoggerFactory.getLogger(StoqHandshakeTest.class);

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /** Answers "CN role: payload" so the test sees what the server authenticated. */
  private static final StoqHandler WHO =
      StoqHandler.withPeer(
          (peer, payload) ->
              CompletableFuture.completedFuture(
                  utf8(peer.commonName() + " " + peer.role() + " " + peer.authenticated() + ": "
                      + payload.toString(java.nio.charset.StandardCharsets.UTF_8))));

  private int start(StoqHandler handler, StoqIdentity identity) {
    StoqServer server = closing(new StoqServer(SETTINGS, handler, StoqTls.defaults(), identity));
    return server.start();
  }

  private int start() {
    return start(WHO, StoqTestSupport.SERVER_ID);
  }

  private StoqException refused(int port, StoqIdentity client, String serverName) {
    return failure(
        StoqClient.connect("::1", port, SETTINGS, StoqTls.defaults(), client, serverName));
  }

  @Test
  void mutualAuthenticationAndSealedRoundTrips() {
    int port = start();
    StoqClient client = closing(StoqTestSupport.connect(port));
    assertTrue(client.payloadProtected());
    assertEquals("node-1", client.server().commonName());
    assertEquals(CertificateRole.NODE, client.server().role());
    assertTrue(client.server().authenticated());
    assertEquals("client-1 CLIENT true: hi", text(client.requestBlocking(utf8("hi"))));
    // Many streams, each with its own nonce sequence.
    List<java.util.concurrent.CompletionStage<byte[]>> stages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      stages.add(client.request(utf8("r" + i)));
    }
    for (int i = 0; i < 200; i++) {
      assertEquals("client-1 CLIENT true: r" + i, text(join(stages.get(i))));
    }
    // The server name may also be the DNS name in the certificate.
    StoqClient byName =
        closing(StoqClient.connectBlocking("::1", port, SETTINGS, StoqTls.defaults(), CLIENT_ID,
            "node-1.mesh.test"));
    assertEquals("client-1 CLIENT true: x", text(byName.requestBlocking(utf8("x"))));
  }

  @Test
  void payloadProtectionOffStillAuthenticates() {
    StoqSettings plain = SETTINGS.withPayloadProtection(false);
    StoqServer server =
        closing(new StoqServer(plain, WHO, StoqTls.defaults(), StoqTestSupport.SERVER_ID));
    int port = server.start();
    StoqClient client =
        closing(StoqClient.connectBlocking("::1", port, plain, StoqTls.defaults(), CLIENT_ID, "::1"));
    assertFalse(client.payloadProtected());
    assertEquals("client-1 CLIENT true: p", text(client.requestBlocking(utf8("p"))));
    // Either side asking is enough: a protecting client gets protection from this server.
    StoqClient protecting = closing(StoqTestSupport.connect(port));
    assertTrue(protecting.payloadProtected());
    assertEquals("client-1 CLIENT true: q", text(protecting.requestBlocking(utf8("q"))));
  }

  @Test
  void clientFromAnotherCaIsRefusedWithAReadableReason() {
    int port = start();
    NodeLocalCa other = NodeLocalCa.create("hypermesh test CA", Duration.ofDays(1));
    Identity stranger = other.issueIdentity(
        LeafSpec.of("client-1", CertificateRole.CLIENT, List.of(), List.of(), Duration.ofHours(1)));
    StoqException e =
        refused(port, StoqIdentity.of(stranger, CA.certificate(), Set.of()), "::1");
    assertEquals(StoqError.UNAUTHENTICATED, e.error(), e.getMessage());
    assertTrue(e.getMessage().contains("client certificate refused (UNTRUSTED)"), e.getMessage());
  }

  @Test
  void expiredClientCertificateIsRefused() {
    int port = start();
    Instant now = Instant.now();
    Identity expired = CA.issueIdentity(
        new LeafSpec("client-old", CertificateRole.CLIENT, List.of(), List.of(),
            now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));
    StoqException e = refused(port, StoqIdentity.of(expired, CA.certificate(), Set.of()), "::1");
    assertEquals(StoqError.UNAUTHENTICATED, e.error());
    assertTrue(e.getMessage().contains("(EXPIRED)"), e.getMessage());
  }

  @Test
  void revokedClientCertificateIsRefused() {
    Set<BigInteger> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    int port = start(WHO, StoqIdentity.of(SERVER, CA.certificate(), revoked));
    StoqClient before = closing(StoqTestSupport.connect(port));
    assertEquals("client-1 CLIENT true: ok", text(before.requestBlocking(utf8("ok"))));
    revoked.add(CLIENT.leaf().getSerialNumber());
    StoqException e = refused(port, CLIENT_ID, "::1");
    assertEquals(StoqError.UNAUTHENTICATED, e.error());
    assertTrue(e.getMessage().contains("(REVOKED)"), e.getMessage());
  }

  @Test
  void serverWithTheWrongNameIsRefusedByTheClient() {
    int port = start();
    StoqException e = refused(port, CLIENT_ID, "node-2");
    assertEquals(StoqError.UNAUTHENTICATED, e.error());
    assertTrue(e.getMessage().contains("server certificate refused (WRONG_NAME)"), e.getMessage());
    StoqException address = refused(port, CLIENT_ID, "2001:db8::99");
    assertTrue(address.getMessage().contains("WRONG_NAME"), address.getMessage());
    // A client certificate cannot serve as a server's: role NODE is required.
    int clientAsServer = start(ECHO, StoqIdentity.of(CLIENT, CA.certificate(), Set.of()));
    StoqException role = refused(clientAsServer, CLIENT_ID, "client-1");
    assertTrue(role.getMessage().contains("WRONG_ROLE"), role.getMessage());
  }

  @SuppressWarnings("deprecation")
  @Test
  void withoutIdentityNothingIsSilentlyAccepted() {
    int port = start();
    // A development-mode client (no identity) sends a request where the handshake belongs.
    StoqClient dev = closing(StoqClient.connectBlocking("::1", port, SETTINGS, StoqTls.defaults()));
    StoqException e = failure(dev.request(utf8("let me in")));
    assertEquals(StoqError.UNAVAILABLE, e.error());
    StoqConnectionClose close = join(dev.closeFuture());
    assertTrue(close.byPeer() && close.applicationClose());
    assertEquals(StoqError.UNAUTHENTICATED.code(), close.code());
    assertTrue(close.reason().contains("must carry the STOQ handshake"), close.reason());

    // A development-mode server: an authenticating client refuses it.
    StoqServer devServer = closing(new StoqServer(SETTINGS, WHO, StoqTls.defaults()));
    int devPort = devServer.start();
    StoqException refusedDev = refused(devPort, CLIENT_ID, "::1");
    assertEquals(StoqError.HANDSHAKE_FAILED, refusedDev.error(), refusedDev.getMessage());
    // ...and its handler is told the peer is not authenticated.
    StoqClient devClient =
        closing(StoqClient.connectBlocking("::1", devPort, SETTINGS, StoqTls.defaults()));
    assertEquals(" null false: x", text(devClient.requestBlocking(utf8("x"))));
  }

  @Test
  void tamperedSealedPayloadIsRejectedAndTheServerKeepsServing() {
    StoqServer server =
        closing(new StoqServer(SETTINGS, ECHO, StoqTls.defaults(), StoqTestSupport.SERVER_ID));
    int port = server.start();
    StoqClient client = closing(StoqTestSupport.connect(port));
    StoqException e = failure(client.requestWithTamperedSeal(utf8("tampered")));
    assertEquals(StoqError.SEAL_FAILED, e.error(), e.getMessage());
    assertEquals("fine", text(client.requestBlocking(utf8("fine"))));
    // Unsealed bytes on an authenticated, protected connection are refused the same way.
    byte[] answer = join(client.exchangeRaw(StoqTestSupport.requestBytes(5, "plain"), true));
    assertTrue(answer.length > 0);
    assertEquals("again", text(client.requestBlocking(utf8("again"))));
    StoqTestSupport.eventually("streams released", () -> server.activeStreams() == 0);
  }

  @Test
  void replayedClientFinishedOnASecondConnectionIsRefused() throws Exception {
    int port = start();
    byte[] hello;
    HandshakeMessage.ClientFinished recorded;
    try (RawStoqConnection first = new RawStoqConnection(port)) {
      StoqHandshake.Client client = first.honestClient(CLIENT_ID, "::1");
      client.hello();
      hello = client.helloBytes();
      first.sendHandshake(hello, false);
      recorded =
          client.onServerHello((HandshakeMessage.ServerHello) first.next(), null);
      first.sendHandshake(recorded.encode(), true);
      StoqSession session =
          client.onServerFinished((HandshakeMessage.ServerFinished) first.next());
      assertEquals("node-1", session.peer().commonName());
    }
    try (RawStoqConnection second = new RawStoqConnection(port)) {
      second.sendHandshake(hello, false);
      assertInstanceOf(HandshakeMessage.ServerHello.class, second.next());
      second.sendHandshake(recorded.encode(), true);
      QuicConnectionCloseEvent close = second.awaitClose();
      assertTrue(close.isApplicationClose());
      assertEquals(StoqError.UNAUTHENTICATED.code(), close.error());
      assertTrue(RawStoqConnection.reason(close).contains("client handshake signature"),
          RawStoqConnection.reason(close));
    }
  }

  @Test
  void tamperedHandshakeMessagesAreRefused() throws Exception {
    int port = start();
    // A byte flipped in the ClientHello's nonce: the honest client finds the server's signature
    // (over what the server received) does not match its own transcript.
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      StoqHandshake.Client client = raw.honestClient(CLIENT_ID, "::1");
      client.hello();
      byte[] hello = client.helloBytes();
      hello[5] ^= 0x40;
      raw.sendHandshake(hello, false);
      HandshakeMessage.ServerHello serverHello = (HandshakeMessage.ServerHello) raw.next();
      StoqException e =
          assertThrows(StoqException.class, () -> client.onServerHello(serverHello, null));
      assertEquals(StoqError.UNAUTHENTICATED, e.error());
    }
    // A byte flipped in the ClientFinished signature: the server closes the connection.
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      StoqHandshake.Client client = raw.honestClient(CLIENT_ID, "::1");
      client.hello();
      raw.sendHandshake(client.helloBytes(), false);
      byte[] finished =
          client.onServerHello((HandshakeMessage.ServerHello) raw.next(), null).encode();
      finished[finished.length / 2] ^= 0x01;
      raw.sendHandshake(finished, true);
      QuicConnectionCloseEvent close = raw.awaitClose();
      assertEquals(StoqError.UNAUTHENTICATED.code(), close.error(), RawStoqConnection.reason(close));
    }
    // A handshake bound to another TLS certificate (what a relay would produce) fails too.
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      byte[] otherBinding = raw.tlsBinding();
      otherBinding[0] ^= 1;
      StoqHandshake.Client client =
          new StoqHandshake.Client(CLIENT_ID, "::1", true, otherBinding);
      client.hello();
      raw.sendHandshake(client.helloBytes(), false);
      HandshakeMessage.ServerHello serverHello = (HandshakeMessage.ServerHello) raw.next();
      assertEquals(StoqError.UNAUTHENTICATED,
          assertThrows(StoqException.class, () -> client.onServerHello(serverHello, null))
              .error());
    }
  }

  @Test
  void requestStreamsBeforeTheHandshakeFinishesAreRefused() throws Exception {
    StoqServer server =
        closing(new StoqServer(SETTINGS, ECHO, StoqTls.defaults(), StoqTestSupport.SERVER_ID));
    int port = server.start();
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      StoqHandshake.Client client = raw.honestClient(CLIENT_ID, "::1");
      client.hello();
      raw.sendHandshake(client.helloBytes(), false);
      assertInstanceOf(HandshakeMessage.ServerHello.class, raw.next());
      // Handshake half done: a request on stream 4 is refused.
      byte[] answer = rawRequest(raw, StoqTestSupport.requestBytes(3, "too early"));
      List<Answer> answers = decodeAll(answer);
      assertEquals(1, answers.size());
      StoqTestSupport.assertError(StoqError.UNAUTHENTICATED, answers.get(0));
    }
  }

  private static byte[] rawRequest(RawStoqConnection raw, byte[] bytes) throws Exception {
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    io.netty.handler.codec.quic.QuicStreamChannel stream =
        raw.quic
            .createStream(
                io.netty.handler.codec.quic.QuicStreamType.BIDIRECTIONAL,
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                    io.netty.buffer.ByteBuf in = (io.netty.buffer.ByteBuf) msg;
                    out.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(in));
                    in.release();
                  }

                  @Override
                  public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx,
                      Object evt) {
                    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                      done.complete(out.toByteArray());
                    }
                  }

                  @Override
                  public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
                    done.complete(out.toByteArray());
                  }
                })
            .get(5, java.util.concurrent.TimeUnit.SECONDS);
    stream.writeAndFlush(new io.netty.handler.codec.quic.DefaultQuicStreamFrame(
        io.netty.buffer.Unpooled.wrappedBuffer(bytes), true)).sync();
    return done.get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void malformedHandshakeFramesCloseWithPreciseCodes() throws Exception {
    int port = start();
    record Case(byte[] payload, StoqError expected) {}
    StoqHandshake.Client honest;
    byte[] hello;
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      honest = raw.honestClient(CLIENT_ID, "::1");
      honest.hello();
      hello = honest.helloBytes();
    }
    byte[] manyCerts = hello.clone();
    manyCerts[1 + 2 + 1 + 32] = 5; // certificate count
    byte[] version2 = hello.clone();
    version2[2] = 2;
    List<Case> cases =
        List.of(
            new Case(java.util.Arrays.copyOf(hello, hello.length - 100), StoqError.MALFORMED_FRAME),
            new Case(utf8("GET / HTTP/1.1"), StoqError.MALFORMED_FRAME),
            new Case(manyCerts, StoqError.FRAME_TOO_LARGE),
            new Case(version2, StoqError.UNSUPPORTED_VERSION),
            new Case(new HandshakeMessage.ClientFinished(new byte[] {1}).encode(),
                StoqError.HANDSHAKE_FAILED));
    for (Case c : cases) {
      try (RawStoqConnection raw = new RawStoqConnection(port)) {
        raw.sendHandshake(c.payload(), false);
        QuicConnectionCloseEvent close = raw.awaitClose();
        assertEquals(c.expected().code(), close.error(), RawStoqConnection.reason(close));
        assertTrue(RawStoqConnection.reason(close).startsWith(c.expected().name()),
            RawStoqConnection.reason(close));
      }
    }
    // A frame that is not a HANDSHAKE frame at all on stream 0.
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      raw.sendRaw(StoqTestSupport.requestBytes(1, "hello?"), false);
      assertEquals(StoqError.UNAUTHENTICATED.code(), raw.awaitClose().error());
    }
    // A length prefix beyond the handshake limit.
    try (RawStoqConnection raw = new RawStoqConnection(port)) {
      raw.sendRaw(new byte[] {0x7F, 0, 0, 0}, false);
      assertEquals(StoqError.FRAME_TOO_LARGE.code(), raw.awaitClose().error());
    }
    // The node still serves honest clients.
    StoqClient client = closing(StoqTestSupport.connect(port));
    assertEquals("client-1 CLIENT true: after", text(client.requestBlocking(utf8("after"))));
  }

  /** Printed figures, not assertions: handshake time and sealing cost. */
  @Test
  void measureHandshakeAndSealing() {
    int port = start(ECHO, StoqTestSupport.SERVER_ID);
    StoqSettings plain = SETTINGS.withPayloadProtection(false);
    for (int warm = 0; warm < 5; warm++) {
      StoqTestSupport.connect(port).close();
    }
    int rounds = 20;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      try (StoqClient client = StoqTestSupport.connect(port)) {
        assertTrue(client.isConnected());
      }
    }
    long withStoq = (System.nanoTime() - t0) / 1000 / rounds;
    @SuppressWarnings("deprecation")
    StoqServer dev = closing(new StoqServer(SETTINGS, ECHO, StoqTls.defaults()));
    int devPort = dev.start();
    t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      @SuppressWarnings("deprecation")
      StoqClient client = StoqClient.connectBlocking("::1", devPort, plain, StoqTls.defaults());
      client.close();
    }
    long tlsOnly = (System.nanoTime() - t0) / 1000 / rounds;

    // Sealing + opening 1 MiB payloads with the real session code.
    StoqSession a = sessionPair()[0];
    StoqSession b = sessionPair()[1];
    byte[] payload = new byte[1 << 20];
    new java.util.Random(3).nextBytes(payload);
    for (int i = 0; i < 20; i++) {
      b.open(a.seal(Frame.request(i, io.netty.buffer.Unpooled.wrappedBuffer(payload)), 4, i), 4, i)
          .release();
    }
    int mib = 100;
    long sealNs = 0;
    long openNs = 0;
    for (int i = 0; i < mib; i++) {
      long s0 = System.nanoTime();
      Frame sealed = a.seal(Frame.request(i, io.netty.buffer.Unpooled.wrappedBuffer(payload)), 8, i);
      long s1 = System.nanoTime();
      Frame opened = b.open(sealed, 8, i);
      long s2 = System.nanoTime();
      assertEquals(payload.length, opened.payload().readableBytes());
      opened.release();
      sealNs += s1 - s0;
      openNs += s2 - s1;
    }
    String figures =
        String.format(
            "STOQ figures: connect+STOQ handshake+close %d µs (mean of %d), TLS-only connect+close "
                + "%d µs; AES-256-GCM seal %.2f ms/MiB, open %.2f ms/MiB",
            withStoq, rounds, tlsOnly, sealNs / 1e6 / mib, openNs / 1e6 / mib);
    log.info(figures);
    System.out.println(figures);
  }

  /** Two sessions with crossed keys, as client and server would hold them. */
  private static StoqSession[] sessionPair() {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    k2[0] = 1;
    byte[] iv1 = new byte[12];
    byte[] iv2 = new byte[12];
    iv2[0] = 1;
    StoqPeer peer = StoqPeer.unauthenticated(null);
    var c2s = new online.hypermesh.protocol.crypto.AesGcm(k1);
    var s2c = new online.hypermesh.protocol.crypto.AesGcm(k2);
    return new StoqSession[] {
      new StoqSession(peer, true, c2s, iv1, s2c, iv2),
      new StoqSession(peer, true, s2c, iv2, c2s, iv1)
    };
  }
}
