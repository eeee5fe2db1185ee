package online.hypermesh.protocol.stoq;

import static online.hypermesh.protocol.stoq.StoqTestSupport.CA;
import static online.hypermesh.protocol.stoq.StoqTestSupport.CLIENT;
import static online.hypermesh.protocol.stoq.StoqTestSupport.ECHO;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SERVER;
import static online.hypermesh.protocol.stoq.StoqTestSupport.SETTINGS;
import static online.hypermesh.protocol.stoq.StoqTestSupport.failure;
import static online.hypermesh.protocol.stoq.StoqTestSupport.text;
import static online.hypermesh.protocol.stoq.StoqTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.LeafSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A server's identity replaced while it runs (a renewed node certificate for the same key): new
 * handshakes present the new chain, connections already open keep working.
 */
class StoqIdentityUpdateTest {

  @AfterAll
  static void noLeaks() throws InterruptedException {
    LeakReports.assertNoLeaks();
  }

  @Test
  void newHandshakesPresentTheUpdatedCertificate() throws Exception {
    // The client refuses the first certificate once it is in its revocation set, as it would refuse
    // an expired one: only a server that presents the renewed certificate gets through.
    Set<BigInteger> clientRevoked = ConcurrentHashMap.newKeySet();
    StoqIdentity client = StoqIdentity.of(CLIENT, CA.certificate(), clientRevoked);
    try (StoqServer server = new StoqServer(SETTINGS, ECHO, StoqTls.defaults(), StoqTestSupport.SERVER_ID)) {
      int port = server.start();
      try (StoqClient before = StoqClient.connectBlocking("::1", port, SETTINGS, StoqTls.defaults(), client, "::1")) {
        assertEquals("a", text(before.requestBlocking(utf8("a"))));
        clientRevoked.add(SERVER.leaf().getSerialNumber());
        StoqException refused = failure(StoqClient.connect("::1", port, SETTINGS, StoqTls.defaults(), client, "::1"));
        assertTrue(refused.getMessage().contains("REVOKED"), refused.getMessage());

        var renewed = CA.issue(SERVER.leaf().getPublicKey(), LeafSpec.of("node-1", CertificateRole.NODE,
            List.of("node-1.mesh.test"), List.of(StoqSettings.ipv6("::1")), Duration.ofHours(1)));
        server.updateIdentity(new StoqIdentity(SERVER.privateKey(), List.of(renewed, CA.certificate()),
            CA.certificate(), Set.of()));
        assertEquals(renewed, server.identity().chain().get(0));
        try (StoqClient after = StoqClient.connectBlocking("::1", port, SETTINGS, StoqTls.defaults(), client, "::1")) {
          assertEquals("b", text(after.requestBlocking(utf8("b"))));
        }
        // The connection made before the update is untouched.
        assertEquals("c", text(before.requestBlocking(utf8("c"))));
      }
    }
    try (StoqServer development = newDevelopmentServer()) {
      assertThrows(IllegalStateException.class, () -> development.updateIdentity(StoqTestSupport.SERVER_ID));
    }
  }

  @SuppressWarnings("deprecation")
  private static StoqServer newDevelopmentServer() {
    return new StoqServer(SETTINGS, ECHO, StoqTls.defaults());
  }
}
