package online.hypermesh.node.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPkiTest {

  @Test
  void renewingTheClientCertificateKeepsItsKeyAndSoItsAccount(@TempDir Path dir) throws Exception {
    DevPki pki = DevPki.openOrCreate(dir);
    StoqIdentity first = pki.issueClient("operator").load(Set.of());
    X509Certificate old = first.chain().get(0);

    StoqIdentity renewed = pki.renewClient("operator", new KeyPair(old.getPublicKey(), first.falconKey()))
        .load(Set.of());
    X509Certificate fresh = renewed.chain().get(0);

    assertNotEquals(old.getSerialNumber(), fresh.getSerialNumber());
    assertArrayEquals(old.getPublicKey().getEncoded(), fresh.getPublicKey().getEncoded());
    assertArrayEquals(first.falconKey().getEncoded(), renewed.falconKey().getEncoded());
    // The renewed chain verifies against the same anchor, as a client.
    new CertificateVerifier(renewed.trustAnchor(), Set.of()).verify(renewed.chain(), null, CertificateRole.CLIENT);
  }
}
