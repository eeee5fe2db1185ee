package online.hypermesh.protocol.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/** The crypto building blocks and the certificate checks, with every refusal reason. */
class CryptoTest {

  private static final NodeLocalCa CA = NodeLocalCa.create("test CA", Duration.ofDays(10));
  private static final InetAddress V6 = address("2001:db8::7");

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Identity node(String name) {
    return CA.issueIdentity(
        LeafSpec.of(name, CertificateRole.NODE, List.of(name + ".mesh.test"), List.of(V6),
            Duration.ofDays(1)));
  }

  @Test
  void falconSignsAndVerifies() {
    KeyPair pair = Falcon.generateKeyPair();
    byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] signature = Falcon.sign(pair.getPrivate(), message);
    assertTrue(signature.length <= Falcon.MAX_SIGNATURE_BYTES);
    assertTrue(Falcon.verify(pair.getPublic(), signature, message));
    assertTrue(Falcon.verify(pair.getPublic(), signature, "hel".getBytes(), "lo".getBytes()));
    assertFalse(Falcon.verify(pair.getPublic(), signature, "hellO".getBytes()));
    signature[10] ^= 1;
    assertFalse(Falcon.verify(pair.getPublic(), signature, message));
    assertFalse(Falcon.verify(pair.getPublic(), new byte[0], message));
    assertFalse(Falcon.verify(Falcon.generateKeyPair().getPublic(),
        Falcon.sign(pair.getPrivate(), message), message));
  }

  @Test
  void mlKemAgreesAndTamperedCiphertextGivesAnotherSecret() {
    MlKem.KeyPair pair = MlKem.generateKeyPair();
    assertEquals(MlKem.PUBLIC_KEY_BYTES, pair.publicKey().length);
    MlKem.Encapsulation encapsulation = MlKem.encapsulate(pair.publicKey());
    assertEquals(MlKem.CIPHERTEXT_BYTES, encapsulation.ciphertext().length);
    assertArrayEquals(encapsulation.sharedSecret(), pair.decapsulate(encapsulation.ciphertext()));
    byte[] tampered = encapsulation.ciphertext();
    tampered[0] ^= 1;
    assertFalse(java.util.Arrays.equals(encapsulation.sharedSecret(), pair.decapsulate(tampered)));
    assertThrows(IllegalArgumentException.class, () -> MlKem.encapsulate(new byte[10]));
    assertThrows(IllegalArgumentException.class, () -> pair.decapsulate(new byte[10]));
  }

  @Test
  void hkdfAndAesGcm() throws Exception {
    byte[] a = Hkdf.sha512("salt".getBytes(), "ikm".getBytes(), "info".getBytes(), 88);
    assertArrayEquals(a, Hkdf.sha512("salt".getBytes(), "ikm".getBytes(), "info".getBytes(), 88));
    assertNotEquals(
        List.of(a), List.of(Hkdf.sha512("salt".getBytes(), "ikm".getBytes(), "other".getBytes(), 88)));
    AesGcm gcm = new AesGcm(java.util.Arrays.copyOf(a, 32));
    byte[] nonce = new byte[12];
    byte[] sealed = gcm.seal(nonce, "aad".getBytes(), "secret".getBytes(), 0, 6);
    assertEquals(6 + AesGcm.TAG_BYTES, sealed.length);
    assertArrayEquals("secret".getBytes(), gcm.open(nonce, "aad".getBytes(), sealed, 0, sealed.length));
    assertThrows(AEADBadTagException.class,
        () -> gcm.open(nonce, "AAD".getBytes(), sealed, 0, sealed.length));
    sealed[0] ^= 1;
    assertThrows(AEADBadTagException.class,
        () -> gcm.open(nonce, "aad".getBytes(), sealed, 0, sealed.length));
    assertThrows(AEADBadTagException.class, () -> gcm.open(nonce, new byte[0], new byte[5], 0, 5));
  }

  @Test
  void issuedChainVerifiesByNameAddressAndRole() throws Exception {
    Identity node = node("node-a");
    CertificateVerifier verifier = new CertificateVerifier(CA.certificate(), Set.of());
    VerifiedCertificate ok = verifier.verify(node.chain(), "node-a.mesh.test", CertificateRole.NODE);
    assertEquals("node-a", ok.commonName());
    assertEquals(CertificateRole.NODE, ok.role());
    verifier.verify(node.chain(), "node-a", null);
    verifier.verify(node.chain(), "2001:DB8:0::7", CertificateRole.NODE);
    verifier.verify(node.chain(), "[2001:db8::7]", null);
    verifier.verify(List.of(node.leaf()), null, null); // anchor left out
    X509Certificate leaf = node.leaf();
    assertEquals(-1, leaf.getBasicConstraints());
    assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
    assertTrue(leaf.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
  }

  private static CertificateRejectedException.Reason refusal(
      CertificateVerifier verifier, List<X509Certificate> chain, String name, CertificateRole role) {
    return assertThrows(CertificateRejectedException.class, () -> verifier.verify(chain, name, role))
        .reason();
  }

  @Test
  void everyRefusalHasItsReason() throws Exception {
    Identity node = node("node-b");
    CertificateVerifier verifier = new CertificateVerifier(CA.certificate(), Set.of());
    NodeLocalCa other = NodeLocalCa.create("test CA", Duration.ofDays(1)); // same name, other key
    Identity foreign = other.issueIdentity(
        LeafSpec.of("node-b", CertificateRole.NODE, List.of(), List.of(), Duration.ofDays(1)));
    assertEquals(CertificateRejectedException.Reason.UNTRUSTED,
        refusal(verifier, List.of(foreign.leaf()), null, null));
    assertEquals(CertificateRejectedException.Reason.UNTRUSTED,
        refusal(verifier, foreign.chain(), null, null));
    assertEquals(CertificateRejectedException.Reason.UNTRUSTED,
        refusal(verifier, List.of(CA.certificate()), null, null));

    Instant now = Instant.now();
    Identity expired = CA.issueIdentity(
        new LeafSpec("old", CertificateRole.CLIENT, List.of(), List.of(),
            now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))));
    assertEquals(CertificateRejectedException.Reason.EXPIRED,
        refusal(verifier, expired.chain(), null, null));
    Identity future = CA.issueIdentity(
        new LeafSpec("new", CertificateRole.CLIENT, List.of(), List.of(),
            now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(3))));
    assertEquals(CertificateRejectedException.Reason.NOT_YET_VALID,
        refusal(verifier, future.chain(), null, null));
    CertificateVerifier later = new CertificateVerifier(CA.certificate(), Set.of(),
        Clock.fixed(now.plus(Duration.ofDays(2)), ZoneOffset.UTC));
    later.verify(future.chain(), null, null);

    assertEquals(CertificateRejectedException.Reason.WRONG_NAME,
        refusal(verifier, node.chain(), "node-c", null));
    assertEquals(CertificateRejectedException.Reason.WRONG_NAME,
        refusal(verifier, node.chain(), "::1", null));
    assertEquals(CertificateRejectedException.Reason.WRONG_ROLE,
        refusal(verifier, node.chain(), null, CertificateRole.CLIENT));

    CertificateVerifier revoking =
        new CertificateVerifier(CA.certificate(), Set.of(node.leaf().getSerialNumber()));
    assertEquals(CertificateRejectedException.Reason.REVOKED,
        refusal(revoking, node.chain(), null, null));
    assertEquals(CertificateRejectedException.Reason.MALFORMED_CHAIN,
        refusal(verifier, List.of(), null, null));
  }

  @Test
  void pemRoundTripsWithAnEncryptedCaKey() throws Exception {
    Identity node = node("node-pem");
    String certs = PqPem.certificates(node.chain());
    assertEquals(node.chain(), PqPem.readCertificates(certs));
    PrivateKey plain = PqPem.readPrivateKey(PqPem.privateKey(node.privateKey()), null);
    assertEquals(node.privateKey(), plain);

    char[] passphrase = "correct horse".toCharArray();
    String encrypted = PqPem.encryptedPrivateKey(CA.privateKey(), passphrase);
    assertTrue(encrypted.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), encrypted);
    PrivateKey back = PqPem.readPrivateKey(encrypted, passphrase);
    assertEquals(CA.privateKey(), back);
    NodeLocalCa reloaded = NodeLocalCa.of(back, PqPem.readCertificates(
        PqPem.certificates(List.of(CA.certificate()))).get(0));
    Identity issued = reloaded.issueIdentity(
        LeafSpec.of("after-reload", CertificateRole.CLIENT, List.of(), List.of(), Duration.ofHours(1)));
    new CertificateVerifier(CA.certificate(), Set.of()).verify(issued.chain(), "after-reload", null);

    assertThrows(IllegalArgumentException.class,
        () -> PqPem.readPrivateKey(encrypted, "wrong".toCharArray()));
    assertThrows(IllegalArgumentException.class, () -> PqPem.readPrivateKey(encrypted, null));
    assertThrows(IllegalArgumentException.class, () -> PqPem.readCertificates("nothing"));
  }

  @Test
  void serialsArePositiveAndDistinct() {
    BigInteger a = node("s1").leaf().getSerialNumber();
    BigInteger b = node("s2").leaf().getSerialNumber();
    assertTrue(a.signum() > 0 && b.signum() > 0);
    assertNotEquals(a, b);
  }
}
