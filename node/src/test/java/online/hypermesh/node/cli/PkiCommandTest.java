package online.hypermesh.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `hypermesh pki kubernetes`: the Secret's files, and pod certificates a node accepts for the pod's DNS name. */
class PkiCommandTest {

  @TempDir
  Path dir;

  @Test
  void writesTheKeySetAndPodCertificatesForThePodsStableNames() throws Exception {
    Path out = dir.resolve("secret");
    assertEquals(0, HyperMeshCli.run("pki", "kubernetes", "--replicas", "2", "--namespace", "prod", "--out", out.toString()));
    for (String file : List.of("trustchain-root.crt", "trustchain-intermediate.crt", "trustchain-log.pub",
        "trustchain.pass", "hypermesh-0.key", "hypermesh-0.crt", "hypermesh-1.key", "hypermesh-1.crt")) {
      assertTrue(Files.isRegularFile(out.resolve(file)), file);
    }
    assertFalse(Files.exists(out.resolve("hypermesh-2.crt")));
    X509Certificate anchor = PqPem.readCertificates(DevPki.trustAnchor(out)).get(0);
    CertificateVerifier verifier = new CertificateVerifier(anchor, Set.of());
    String pod1 = "hypermesh-1.hypermesh-nodes.prod.svc.cluster.local";

    // What a node's STOQ server loads (key matches the leaf), and what another node checks when it
    // dials the pod's name or admits its cluster address.
    StoqIdentity identity = new IdentityFiles(out.resolve("hypermesh-1.key"), out.resolve("hypermesh-1.crt"),
        DevPki.trustAnchor(out)).load(Set.of());
    assertEquals("hypermesh-1",
        verifier.verify(identity.chain(), pod1, CertificateRole.NODE).commonName());
    CertificateRejectedException other = assertThrows(CertificateRejectedException.class,
        () -> verifier.verify(identity.chain(), "hypermesh-0.hypermesh-nodes.prod.svc.cluster.local",
            CertificateRole.NODE));
    assertEquals(CertificateRejectedException.Reason.WRONG_NAME, other.reason());
    assertEquals(List.of(List.of(2, pod1)), List.copyOf(identity.chain().get(0).getSubjectAlternativeNames()));

    // Run again: the same key set (one CA), fresh pod certificates.
    String passphrase = Files.readString(out.resolve("trustchain.pass"));
    assertEquals(0, HyperMeshCli.run("pki", "kubernetes", "--replicas", "3", "--namespace", "prod", "--out", out.toString()));
    assertEquals(passphrase, Files.readString(out.resolve("trustchain.pass")));
    List<X509Certificate> third = PqPem.readCertificates(out.resolve("hypermesh-2.crt"));
    verifier.verify(third, "hypermesh-2.hypermesh-nodes.prod.svc.cluster.local", CertificateRole.NODE);
  }

  @Test
  void refusesNamesThatAreNotDnsLabels() {
    assertEquals(2, HyperMeshCli.run("pki", "kubernetes", "--replicas", "1", "--namespace", "Prod_1",
        "--out", dir.toString()));
    assertEquals(2, HyperMeshCli.run("pki", "kubernetes", "--replicas", "0", "--out", dir.toString()));
    assertFalse(Files.exists(dir.resolve("trustchain.pass")));
  }
}
