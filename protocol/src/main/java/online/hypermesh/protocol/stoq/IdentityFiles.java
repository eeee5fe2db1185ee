package online.hypermesh.protocol.stoq;

import online.hypermesh.protocol.crypto.PqPem;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where an endpoint's STOQ identity lives on disk: its FALCON-1024 key (PKCS#8 PEM), its certificate chain
 * (PEM, leaf first) and the CA root it trusts (PEM). Nodes and clients load theirs the same way.
 */
public record IdentityFiles(Path key, Path chain, Path trustAnchor) {

  public IdentityFiles {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(trustAnchor, "trustAnchor");
  }

  /** Reads and checks the files; every problem names the file it is about. */
  public StoqIdentity load(Set<BigInteger> revoked) {
    PrivateKey privateKey = read(key, "key", file -> PqPem.readPrivateKey(file, null));
    List<X509Certificate> certificates = read(chain, "certificate chain", PqPem::readCertificates);
    List<X509Certificate> anchors = read(trustAnchor, "trust anchor", PqPem::readCertificates);
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("certificate chain " + chain + " holds no certificate");
    }
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("trust anchor " + trustAnchor + " holds no certificate");
    }
    try {
      return new StoqIdentity(privateKey, certificates, anchors.get(0), revoked);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("identity " + key + " / " + chain + ": " + e.getMessage(), e);
    }
  }

  private interface Reader<T> {
    T read(Path file) throws IOException;
  }

  private static <T> T read(Path file, String what, Reader<T> reader) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(what + " file " + file + " does not exist or is not readable");
    }
    try {
      return reader.read(file);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }
}
