package online.hypermesh.node.local;

import com.typesafe.config.Config;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.node.trustchain.NodeIdentity;
import online.hypermesh.node.trustchain.TrustChainKeys;
import online.hypermesh.node.trustchain.TrustChainNode;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.trustchain.CertificateIssuer;
import online.hypermesh.protocol.trustchain.CertificateRequestSpec;
import online.hypermesh.protocol.trustchain.IssuanceDecision;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustRole;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The identities of a one-machine cluster, issued by TrustChain itself: it opens (or creates) the
 * TrustChain root and intermediate in DIR/pki ({@link TrustChainKeys}, the same files and passphrase the
 * nodes' CA uses) and issues each node's first certificate from the intermediate through the same
 * CSR, {@link IssuancePolicy} and {@link CertificateIssuer} path as the CA entity, with the node's
 * configured validity ({@code hypermesh.node.certificate-validity}). The nodes log these certificates
 * in the transparency log when they start and renew them through the CA before they expire. The STOQ
 * and Artery trust anchor is {@code trustchain-root.crt}; there is no other CA.
 */
public final class DevPki {

  private final Path dir;
  private final TrustChainKeys keys;
  private final IssuancePolicy policy;
  private final String dnsSuffix;
  private final String region;
  private final Duration nodeValidity;

  private DevPki(Path dir, TrustChainKeys keys, Config config) {
    this.dir = dir;
    this.keys = keys;
    this.policy = TrustChainNode.policy(config);
    this.dnsSuffix = config.getString("hypermesh.trustchain.dns-suffix");
    this.region = config.getString("hypermesh.node.region");
    this.nodeValidity = config.getDuration("hypermesh.node.certificate-validity");
  }

  /** The trust anchor every node and client of DIR's cluster uses: TrustChain's root. */
  public static Path trustAnchor(Path dir) {
    return TrustChainKeys.rootCertificate(dir);
  }

  /** The CLI's identity in a data folder's pki/ directory. */
  public static IdentityFiles clientFiles(Path dir) {
    return new IdentityFiles(dir.resolve("client.key"), dir.resolve("client.crt"), trustAnchor(dir));
  }

  /** With the local development configuration (dev.conf): region, DNS suffix, validities. */
  public static DevPki openOrCreate(Path dir) throws IOException {
    return openOrCreate(dir, NodeConfig.fromString("include classpath(\"dev.conf\")"));
  }

  public static DevPki openOrCreate(Path dir, Config config) throws IOException {
    Files.createDirectories(dir);
    return new DevPki(dir, TrustChainKeys.openOrCreate(dir), config);
  }

  /** Where {@link #issueNode} writes the identity of node {@code name}. */
  public static IdentityFiles nodeFiles(Path dir, String name) {
    return new IdentityFiles(dir.resolve(name + ".key"), dir.resolve(name + ".crt"), trustAnchor(dir));
  }

  public TrustChainKeys keys() {
    return keys;
  }

  /** A node certificate for NAME (DNS name NAME.suffix, ADDRESS) in the configured region and validity. */
  public IdentityFiles issueNode(String name, InetAddress address) throws IOException {
    return issueNode(name, address, region, nodeValidity);
  }

  public IdentityFiles issueNode(String name, InetAddress address, String nodeRegion, Duration validity)
      throws IOException {
    return issueNode(name, List.of(name + "." + dnsSuffix), List.of(address), nodeRegion, validity);
  }

  /**
   * A node certificate with these subjectAltNames (e.g. a Kubernetes pod's stable DNS name and no
   * address), written as DIR/NAME.key and NAME.crt. The names must pass the TrustChain policy.
   */
  public IdentityFiles issueNode(String name, List<String> dnsNames, List<InetAddress> addresses,
      String nodeRegion, Duration validity) throws IOException {
    return write(name, issue(new CertificateRequestSpec(name, TrustRole.NODE, dnsNames, addresses, nodeRegion),
        validity));
  }

  /** An operator (client role) certificate for the CLI, valid for the policy's maximum for users. */
  public IdentityFiles issueClient(String name) throws IOException {
    return write("client", issue(new CertificateRequestSpec(name, TrustRole.USER, List.of(), List.of(), region),
        policy.maxValidity(TrustRole.USER)));
  }

  /**
   * A fresh operator certificate for the CLI's existing key: the key is the operator's identity
   * (its CAES account is the hash of the public key), so renewal must not replace it.
   */
  public IdentityFiles renewClient(String name, KeyPair key) throws IOException {
    return write("client", issue(new CertificateRequestSpec(name, TrustRole.USER, List.of(), List.of(), region),
        policy.maxValidity(TrustRole.USER), key));
  }

  /**
   * Another user (client role) identity, written as {@code user-NAME.key/.crt} so the CLI's own
   * ({@link #issueClient}) is kept: distinct keys own distinct CAES accounts.
   */
  public IdentityFiles issueUser(String name) throws IOException {
    return write("user-" + name, issue(new CertificateRequestSpec(name, TrustRole.USER, List.of(), List.of(), region),
        policy.maxValidity(TrustRole.USER)));
  }

  private record Issued(KeyPair key, List<X509Certificate> chain) {
  }

  private Issued issue(CertificateRequestSpec spec, Duration validity) {
    return issue(spec, validity, Falcon.generateKeyPair());
  }

  private Issued issue(CertificateRequestSpec spec, Duration validity, KeyPair key) {
    IssuanceDecision decision = policy.check(SigningRequests.create(key, spec), validity);
    if (decision instanceof IssuanceDecision.Refused refused) {
      throw new IllegalArgumentException("TrustChain refuses a certificate for " + spec.commonName() + ": "
          + refused.reason() + ": " + refused.detail());
    }
    X509Certificate leaf = keys.issuer().issue((IssuanceDecision.Approved) decision, CertificateIssuer.randomSerial());
    // Leaf and intermediate: peers hold the root as their anchor.
    return new Issued(key, List.of(leaf, keys.issuer().intermediate()));
  }

  private IdentityFiles write(String baseName, Issued issued) throws IOException {
    Path key = dir.resolve(baseName + ".key");
    Path chain = dir.resolve(baseName + ".crt");
    Files.deleteIfExists(key);
    Files.createFile(key);
    restrict(key);
    PqPem.writePrivateKey(key, issued.key().getPrivate());
    NodeIdentity.writeChain(chain, issued.chain());
    return new IdentityFiles(key, chain, trustAnchor(dir));
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Non-POSIX file systems keep their default permissions.
    }
  }
}
