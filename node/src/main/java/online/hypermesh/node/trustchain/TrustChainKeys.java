package online.hypermesh.node.trustchain;

import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.trustchain.CertificateIssuer;
import online.hypermesh.protocol.trustchain.LogSigner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * TrustChain's key material in one directory (by default the folder of the STOQ trust anchor, {@code .hypermesh/pki}
 * for {@code hypermesh up}; its root is that trust anchor):
 *
 * <pre>
 * trustchain-root.crt            root certificate (PEM), the anchor clients pin
 * trustchain-root.key            root key, encrypted PKCS#8 (PEM)
 * trustchain-intermediate.crt    intermediate certificate (PEM), signs every leaf
 * trustchain-intermediate.key    intermediate key, encrypted PKCS#8
 * trustchain-log.key             the CT log's FALCON-1024 key, encrypted PKCS#8
 * trustchain-log.pub             the log's public key (PEM "PUBLIC KEY"), which clients pin
 * trustchain.pass                the passphrase of the three keys (0600)
 * </pre>
 *
 * The first node to start creates them (under a file lock, so nodes starting together agree on one set);
 * the others, and every restart, read them. No private key is ever written unencrypted; the passphrase
 * file is the secret an operator moves to a secret store in production (a Kubernetes Secret mounted
 * read-only): the keys may then be copied anywhere.
 */
public final class TrustChainKeys {

  static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
  static final Duration INTERMEDIATE_VALIDITY = Duration.ofDays(365);

  private final CertificateIssuer issuer;
  private final LogSigner logSigner;

  private TrustChainKeys(CertificateIssuer issuer, LogSigner logSigner) {
    this.issuer = issuer;
    this.logSigner = logSigner;
  }

  public CertificateIssuer issuer() {
    return issuer;
  }

  public LogSigner logSigner() {
    return logSigner;
  }

  public static Path rootCertificate(Path dir) {
    return dir.resolve("trustchain-root.crt");
  }

  public static Path logPublicKey(Path dir) {
    return dir.resolve("trustchain-log.pub");
  }

  public static TrustChainKeys openOrCreate(Path dir) throws IOException {
    // The passphrase file is written last, atomically: once it exists the set is complete and is only
    // read, so a read-only folder (a Kubernetes Secret) works.
    if (Files.exists(dir.resolve("trustchain.pass"))) {
      return open(dir);
    }
    Files.createDirectories(dir);
    try (FileChannel lockFile = FileChannel.open(dir.resolve("trustchain.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
         FileLock lock = lockFile.lock()) {
      if (!Files.exists(dir.resolve("trustchain.pass"))) {
        create(dir);
      }
      return open(dir);
    }
  }

  private static TrustChainKeys open(Path dir) throws IOException {
    char[] passphrase = Files.readString(dir.resolve("trustchain.pass")).trim().toCharArray();
    PrivateKey intermediateKey = PqPem.readPrivateKey(dir.resolve("trustchain-intermediate.key"), passphrase);
    var intermediate = PqPem.readCertificates(dir.resolve("trustchain-intermediate.crt")).get(0);
    var root = PqPem.readCertificates(rootCertificate(dir)).get(0);
    PrivateKey logKey = PqPem.readPrivateKey(dir.resolve("trustchain-log.key"), passphrase);
    PublicKey logPublic = readPublicKey(logPublicKey(dir));
    return new TrustChainKeys(CertificateIssuer.of(intermediateKey, intermediate, root),
        new LogSigner(new KeyPair(logPublic, logKey)));
  }

  private static void create(Path dir) throws IOException {
    CertificateIssuer.Hierarchy hierarchy = CertificateIssuer.createHierarchy("HyperMesh TrustChain",
        ROOT_VALIDITY, INTERMEDIATE_VALIDITY);
    KeyPair log = Falcon.generateKeyPair();
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    char[] passphrase = HexFormat.of().formatHex(secret).toCharArray();
    // Keys first, passphrase file last: its presence is what marks the set complete.
    writeKey(dir.resolve("trustchain-root.key"), hierarchy.root().getPrivate(), passphrase);
    writeKey(dir.resolve("trustchain-intermediate.key"), hierarchy.intermediate().getPrivate(), passphrase);
    writeKey(dir.resolve("trustchain-log.key"), log.getPrivate(), passphrase);
    PqPem.writeCertificates(rootCertificate(dir), List.of(hierarchy.rootCertificate()));
    PqPem.writeCertificates(dir.resolve("trustchain-intermediate.crt"), List.of(hierarchy.intermediateCertificate()));
    Files.writeString(logPublicKey(dir), publicKeyPem(log.getPublic()));
    Path pass = dir.resolve("trustchain.pass.tmp");
    Files.deleteIfExists(pass);
    Files.createFile(pass);
    restrict(pass);
    Files.writeString(pass, new String(passphrase) + "\n");
    Files.move(pass, dir.resolve("trustchain.pass"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeKey(Path file, PrivateKey key, char[] passphrase) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file);
    restrict(file);
    PqPem.writeEncryptedPrivateKey(file, key, passphrase);
  }

  public static String publicKeyPem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** A FALCON-1024 public key from a PEM "PUBLIC KEY" file. */
  public static PublicKey readPublicKey(Path file) throws IOException {
    String text = Files.readString(file);
    int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = text.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(file + " holds no PEM PUBLIC KEY");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
    return decodePublicKey(der);
  }

  public static PublicKey decodePublicKey(byte[] spki) {
    try {
      PublicKey key = KeyFactory.getInstance(Falcon.ALGORITHM, online.hypermesh.protocol.crypto.Pq.BC)
          .generatePublic(new X509EncodedKeySpec(spki));
      if (!Falcon.isFalcon1024(key)) {
        throw new IllegalArgumentException("not a FALCON-1024 key");
      }
      return key;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("not a FALCON-1024 public key: " + e.getMessage(), e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Non-POSIX file systems keep their defaults; the keys are encrypted either way.
    }
  }
}
