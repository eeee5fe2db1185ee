package online.hypermesh.protocol.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * PEM for FALCON (and any other Bouncy Castle) keys and certificates: "CERTIFICATE" blocks,
 * unencrypted PKCS#8 "PRIVATE KEY" and password-encrypted PKCS#8 "ENCRYPTED PRIVATE KEY"
 * (PBES2, PBKDF2-HMAC-SHA256 with a random salt, AES-256-CBC) — the form for a CA key at rest.
 */
public final class PqPem {

  /** PBKDF2 iterations for encrypted keys (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). */
  static final int PBKDF2_ITERATIONS = 600_000;

  private PqPem() {}

  public static String certificates(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        pem.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  public static String privateKey(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /** PKCS#8 "ENCRYPTED PRIVATE KEY" with the passphrase (PBKDF2-SHA256, AES-256-CBC). */
  public static String encryptedPrivateKey(PrivateKey key, char[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("empty passphrase");
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      OutputEncryptor encryptor =
          new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
              .setProvider(Pq.BC)
              .setRandom(Pq.RANDOM)
              .setPRF(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                  org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_hmacWithSHA256,
                  org.bouncycastle.asn1.DERNull.INSTANCE))
              .setIterationCount(PBKDF2_ITERATIONS)
              .setPassword(passphrase)
              .build();
      pem.writeObject(new JcaPKCS8Generator(key, encryptor));
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot encrypt private key: " + e, e);
    }
    return out.toString();
  }

  public static void writeCertificates(Path file, List<X509Certificate> certificates)
      throws IOException {
    Files.writeString(file, certificates(certificates), StandardCharsets.US_ASCII);
  }

  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    Files.writeString(file, privateKey(key), StandardCharsets.US_ASCII);
  }

  public static void writeEncryptedPrivateKey(Path file, PrivateKey key, char[] passphrase)
      throws IOException {
    Files.writeString(file, encryptedPrivateKey(key, passphrase), StandardCharsets.US_ASCII);
  }

  /** Every certificate in the PEM text, in order. */
  public static List<X509Certificate> readCertificates(String pemText) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(Pq.BC);
    try (PEMParser parser = new PEMParser(new StringReader(pemText))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read PEM certificates: " + e, e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    return certificates;
  }

  /**
   * The first private key in the PEM text, encrypted or not.
   *
   * @param passphrase for an "ENCRYPTED PRIVATE KEY"; may be null for unencrypted keys
   * @throws IllegalArgumentException no key, an encrypted key without passphrase, or a wrong
   *     passphrase
   */
  public static PrivateKey readPrivateKey(String pemText, char[] passphrase) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Pq.BC);
    try (PEMParser parser = new PEMParser(new StringReader(pemText))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
          if (passphrase == null) {
            throw new IllegalArgumentException("the private key is encrypted: passphrase needed");
          }
          InputDecryptorProvider decryptor =
              new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Pq.BC).build(passphrase);
          try {
            return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
          } catch (PKCSException e) {
            throw new IllegalArgumentException("cannot decrypt the private key (wrong passphrase?)");
          }
        }
      }
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalArgumentException("cannot read PEM private key: " + e, e);
    }
    throw new IllegalArgumentException("no PEM private key found");
  }

  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    return readCertificates(Files.readString(file, StandardCharsets.US_ASCII));
  }

  public static PrivateKey readPrivateKey(Path file, char[] passphrase) throws IOException {
    return readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII), passphrase);
  }
}
