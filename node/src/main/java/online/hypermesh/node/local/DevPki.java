package online.hypermesh.node.local;

import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.stoq.IdentityFiles;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The node-local CA of a one-machine cluster, until TrustChain issues certificates: a FALCON-1024 root
 * in DIR/pki whose key is stored encrypted (PKCS#8, passphrase in a 0600 file beside it), node
 * certificates for each node's name and address, and one client certificate for the CLI.
 */
public final class DevPki {

  private static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
  /** Short-lived, as TrustChain's node certificates will be; `up` issues fresh ones at every start. */
  private static final Duration LEAF_VALIDITY = Duration.ofDays(7);

  private final Path dir;
  private final NodeLocalCa ca;

  private DevPki(Path dir, NodeLocalCa ca) {
    this.dir = dir;
    this.ca = ca;
  }

  public static Path caCertificate(Path dir) {
    return dir.resolve("ca.crt");
  }

  /** The CLI's identity in a data folder's pki/ directory. */
  public static IdentityFiles clientFiles(Path dir) {
    return new IdentityFiles(dir.resolve("client.key"), dir.resolve("client.crt"), caCertificate(dir));
  }

  public static DevPki openOrCreate(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path cert = caCertificate(dir);
    Path key = dir.resolve("ca.key");
    Path pass = dir.resolve("ca.pass");
    if (Files.exists(cert) && Files.exists(key) && Files.exists(pass)) {
      char[] passphrase = Files.readString(pass).trim().toCharArray();
      return new DevPki(dir, NodeLocalCa.of(PqPem.readPrivateKey(key, passphrase), PqPem.readCertificates(cert).get(0)));
    }
    NodeLocalCa ca = NodeLocalCa.create("HyperMesh local development CA", ROOT_VALIDITY);
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    char[] passphrase = HexFormat.of().formatHex(secret).toCharArray();
    writeSecret(pass, new String(passphrase));
    PqPem.writeEncryptedPrivateKey(key, ca.privateKey(), passphrase);
    restrict(key);
    PqPem.writeCertificates(cert, List.of(ca.certificate()));
    return new DevPki(dir, ca);
  }

  /** Where {@link #issueNode} writes the identity of node {@code name}. */
  public static IdentityFiles nodeFiles(Path dir, String name) {
    return new IdentityFiles(dir.resolve(name + ".key"), dir.resolve(name + ".crt"), caCertificate(dir));
  }

  public IdentityFiles issueNode(String name, InetAddress address) throws IOException {
    Identity identity = ca.issueIdentity(LeafSpec.of(name, CertificateRole.NODE, List.of(name + ".hypermesh.local"),
        List.of(address), LEAF_VALIDITY));
    return write(name, identity);
  }

  public IdentityFiles issueClient(String name) throws IOException {
    return write("client", ca.issueIdentity(LeafSpec.of(name, CertificateRole.CLIENT, List.of(), List.of(), LEAF_VALIDITY)));
  }

  private IdentityFiles write(String baseName, Identity identity) throws IOException {
    Path key = dir.resolve(baseName + ".key");
    Path chain = dir.resolve(baseName + ".crt");
    Files.deleteIfExists(key);
    Files.createFile(key);
    restrict(key);
    PqPem.writePrivateKey(key, identity.privateKey());
    PqPem.writeCertificates(chain, identity.chain());
    return new IdentityFiles(key, chain, caCertificate(dir));
  }

  private static void writeSecret(Path file, String secret) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file);
    restrict(file);
    Files.writeString(file, secret + "\n");
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Non-POSIX file systems keep their default permissions; the dev CA is for one machine anyway.
    }
  }
}
