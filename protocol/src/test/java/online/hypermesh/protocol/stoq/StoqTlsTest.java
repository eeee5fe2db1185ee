package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SERVER_ID;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Certificates, trust and the key-exchange groups, on real handshakes. */
class StoqTlsTest {

  private static final Logger log = LoggerFactory.getLogger(StoqTlsTest.class);

  private static final List<String> MLKEM_ONLY = List.of(StoqProtocol.GROUP_X25519_MLKEM768);
  private static final List<String> X25519_ONLY = List.of(StoqProtocol.GROUP_X25519);

  @TempDir Path dir;

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  @Test
  void bundledBoringSslSupportsTheHybridPostQuantumGroup() {
    assertEquals(
        StoqTls.DEFAULT_GROUPS, StoqTls.supportedGroups(StoqTls.DEFAULT_GROUPS),
        "X25519MLKEM768 should be available in netty-codec-native-quic 4.2.18");
    assertEquals(List.of("X25519"), StoqTls.supportedGroups(List.of("NoSuchGroup", "X25519")));
  }

  @Test
  void hybridGroupIsNegotiatedWhenItIsTheOnlyOneTheServerAccepts() {
    try (StoqServer server =
        new StoqServer(SETTINGS, ECHO, StoqTls.defaults().withKeyExchangeGroups(MLKEM_ONLY), SERVER_ID)) {
      int port = server.start();
      // Default client (hybrid first, X25519 fallback) ends up on the hybrid group...
      try (StoqClient client = StoqClient.connectBlocking("::1", port, SETTINGS, StoqTls.defaults(), CLIENT_ID, "::1")) {
        assertEquals("pq", text(client.requestBlocking(utf8("pq"))));
      }
      // ...and a classical-only client cannot connect at all, proving the server did not
      // fall back: the successful handshake above really used X25519MLKEM768.
      StoqException e =
          failure(
              StoqClient.connect(
                  "::1", port, SETTINGS, StoqTls.defaults().withKeyExchangeGroups(X25519_ONLY),
                  CLIENT_ID, "::1"));
      assertEquals(StoqError.UNAVAILABLE, e.error());
    }
  }

  @Test
  void pemKeyAndCertificateWithAVerifyingClient() throws Exception {
    EphemeralCertificate identity =
        EphemeralCertificate.generate(
            "node-a", List.of("localhost"), List.of(StoqSettings.ipv6("::1")));
    Path key = dir.resolve("node.key");
    Path cert = dir.resolve("node.crt");
    identity.writePem(key, cert);

    try (StoqServer server = new StoqServer(SETTINGS, ECHO, StoqTls.serverPem(key, cert), SERVER_ID)) {
      int port = server.start();
      try (StoqClient client =
          StoqClient.connectBlocking(
              "::1", port, SETTINGS, StoqTls.clientTrusting(cert), CLIENT_ID, "::1")) {
        assertEquals("verified", text(client.requestBlocking(utf8("verified"))));
      }

      // A client that trusts some other certificate refuses this server.
      Path other = dir.resolve("other.crt");
      EphemeralCertificate.generate("other", List.of(), List.of(StoqSettings.ipv6("::1")))
          .writePem(dir.resolve("other.key"), other);
      StoqException e =
          failure(StoqClient.connect(
              "::1", port, SETTINGS, StoqTls.clientTrusting(other), CLIENT_ID, "::1"));
      assertEquals(StoqError.UNAVAILABLE, e.error());
    }
  }

  @Test
  void verifyingClientChecksTheAddressNamedInTheCertificate() throws Exception {
    EphemeralCertificate elsewhere =
        EphemeralCertificate.generate(
            "node-b", List.of(), List.of(StoqSettings.ipv6("2001:db8::1")));
    Path key = dir.resolve("b.key");
    Path cert = dir.resolve("b.crt");
    elsewhere.writePem(key, cert);
    try (StoqServer server = new StoqServer(SETTINGS, ECHO, StoqTls.serverPem(key, cert), SERVER_ID)) {
      int port = server.start();
      StoqException e =
          failure(StoqClient.connect(
              "::1", port, SETTINGS, StoqTls.clientTrusting(cert), CLIENT_ID, "::1"));
      assertEquals(StoqError.UNAVAILABLE, e.error());
    }
  }

  @Test
  void pkcs8AndSec1KeysBothLoad() throws Exception {
    EphemeralCertificate identity =
        EphemeralCertificate.generate("k", List.of(), List.of(StoqSettings.ipv6("::1")));
    Path pkcs8 = dir.resolve("pkcs8.key");
    Files.writeString(
        pkcs8,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(identity.privateKey().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    identity.writePem(dir.resolve("written.key"), dir.resolve("k.crt"));
    assertTrue(Files.readString(dir.resolve("written.key")).startsWith("-----BEGIN PRIVATE KEY"));
    // SEC1 "EC PRIVATE KEY" with the curve named inside, as `openssl ecparam -genkey` writes it.
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(identity.privateKey().getEncoded());
    ECPrivateKey sec1Key =
        new ECPrivateKey(
            256,
            ((java.security.interfaces.ECPrivateKey) identity.privateKey()).getS(),
            info.getPrivateKeyAlgorithm().getParameters());
    Path sec1 = dir.resolve("sec1.key");
    try (PemWriter pem = new PemWriter(Files.newBufferedWriter(sec1))) {
      pem.writeObject(new PemObject("EC PRIVATE KEY", sec1Key.getEncoded()));
    }
    assertTrue(Files.readString(sec1).startsWith("-----BEGIN EC PRIVATE KEY"));
    assertEquals(identity.privateKey(), PemMaterial.readPrivateKey(pkcs8));
    assertEquals(identity.privateKey(), PemMaterial.readPrivateKey(dir.resolve("written.key")));
    assertEquals(
        ((java.security.interfaces.ECPrivateKey) identity.privateKey()).getS(),
        ((java.security.interfaces.ECPrivateKey) PemMaterial.readPrivateKey(sec1)).getS());
    assertEquals(identity.certificate(), PemMaterial.readCertificates(dir.resolve("k.crt")).get(0));

    Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
    assertThrows(IllegalArgumentException.class, () -> PemMaterial.readPrivateKey(empty));
    assertThrows(IllegalArgumentException.class, () -> PemMaterial.readCertificates(empty));
    assertThrows(IllegalArgumentException.class, () -> new StoqTls(sec1, null, null, List.of()));
  }

  @Test
  void wrongAlpnIsRejected() throws Exception {
    try (StoqServer server = new StoqServer(SETTINGS, ECHO, StoqTls.defaults(), SERVER_ID)) {
      int port = server.start();
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      try {
        Channel udp =
            new Bootstrap()
                .group(group)
                .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET6))
                .handler(
                    new QuicClientCodecBuilder()
                        .sslContext(
                            QuicSslContextBuilder.forClient()
                                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                                .endpointIdentificationAlgorithm(null)
                                .applicationProtocols("h3")
                                .build())
                        .maxIdleTimeout(2, TimeUnit.SECONDS)
                        .build())
                .bind(new InetSocketAddress(StoqSettings.ipv6("::"), 0))
                .sync()
                .channel();
        CompletableFuture<QuicConnectionCloseEvent> closed = new CompletableFuture<>();
        var connect =
            QuicChannel.newBootstrap(udp)
                .handler(
                    new ChannelInboundHandlerAdapter() {
                      @Override
                      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof QuicConnectionCloseEvent close) {
                          closed.complete(close);
                        }
                      }
                    })
                .streamHandler(new ChannelInboundHandlerAdapter())
                .remoteAddress(new InetSocketAddress(StoqSettings.ipv6("::1"), port))
                .connect();
        QuicConnectionCloseEvent close = closed.get(5, TimeUnit.SECONDS);
        assertTrue(close.isTlsError());
        assertEquals(120, QuicConnectionCloseEvent.extractTlsError(close.error()),
            "TLS alert no_application_protocol");
        assertFalse(connect.isSuccess());
        udp.close().sync();
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
      assertEquals(0, server.activeConnections());
    }
  }

  /** Not a benchmark, just a number for the log: what the hybrid key exchange costs here. */
  @Test
  void handshakeCostOfTheHybridGroup() {
    for (List<String> groups : List.of(X25519_ONLY, MLKEM_ONLY, X25519_ONLY, MLKEM_ONLY)) {
      StoqTls tls = StoqTls.defaults().withKeyExchangeGroups(groups);
      try (StoqServer server = new StoqServer(SETTINGS, ECHO, tls, SERVER_ID)) {
        int port = server.start();
        int rounds = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
          try (StoqClient client = StoqClient.connectBlocking("::1", port, SETTINGS, tls, CLIENT_ID, "::1")) {
            assertTrue(client.isConnected());
          }
        }
        log.info(
            "{}: {} µs per connect+close (mean of {})",
            groups, (System.nanoTime() - t0) / 1000 / rounds, rounds);
      }
    }
  }
}
