package online.hypermesh.protocol.stoq;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import online.hypermesh.protocol.crypto.AesGcm;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Hkdf;
import online.hypermesh.protocol.crypto.MlKem;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.crypto.VerifiedCertificate;

/**
 * STOQ's own post-quantum handshake, run on the first bidirectional stream (stream 0) of every
 * QUIC connection, inside TLS 1.3 (which already negotiated X25519MLKEM768). Mutual
 * authentication with FALCON-1024 certificates from a node-local CA, an ephemeral ML-KEM-1024 key
 * exchange, and keys for sealing every later payload.
 *
 * <pre>
 *   client                                                       server
 *   ClientHello  {version 1, options, nonce_c (32 B), chain_c, ML-KEM-1024 public key pk_e} --->
 *           <--- ServerHello {options, nonce_s (32 B), chain_s, ct = Encaps(pk_e), sig_s}
 *   ClientFinished {sig_c}                                                            --->
 *           <--- ServerFinished {confirmation tag}
 * </pre>
 *
 * Wire layout: {@link HandshakeMessage}. Each message is one HANDSHAKE frame, correlation id 0.
 *
 * <p>Transcript and keys (all hashes SHA-512; {@code lp(x)} = u32 length || x):
 *
 * <pre>
 *   binding = SHA-256(DER of the TLS leaf certificate the server presented in this connection)
 *   TH1     = SHA-512("STOQ/1 transcript" || lp(binding) || lp(ClientHello bytes)
 *                     || lp(ServerHello bytes up to, excluding, the signature field))
 *   sig_s   = FALCON-1024 by the server's leaf key over "STOQ/1 server signature" || 0x00 || TH1
 *   TH2     = SHA-512(TH1 || lp(sig_s))
 *   sig_c   = FALCON-1024 by the client's leaf key over "STOQ/1 client signature" || 0x00 || TH2
 *   TH3     = SHA-512(TH2 || lp(sig_c))
 *   okm     = HKDF-SHA512(salt = TH1, ikm = ML-KEM-1024 shared secret, info = "STOQ/1 keys", 88)
 *           = key_c2s (32) || iv_c2s (12) || key_s2c (32) || iv_s2c (12)
 *   confirmation = AES-256-GCM tag under key_s2c, nonce iv_s2c (stream 0, counter 0),
 *                  aad "STOQ/1 server finished" || TH3, empty plaintext
 * </pre>
 *
 * The client checks the server chain (trust anchor, validity, revocation, role NODE, the name it
 * dialled), then sig_s. The server checks the client chain (any role), then sig_c; only then does
 * it serve request streams. The client uses the connection only after the ServerFinished
 * confirmation, which proves the server derived the same keys and accepted sig_c (streams are not
 * ordered relative to each other in QUIC, so without it a first request could overtake the
 * ClientFinished). Options: payload protection is in force when either side asks for it; the
 * decision is in the signed ServerHello, so an attacker cannot switch it off.
 *
 * <p><b>What binds the handshake to this QUIC connection.</b> Netty QUIC 4.2.18 exposes no TLS
 * exporter (no {@code SSL_export_keying_material}, no access to the TLS secrets), so STOQ binds
 * to values both ends see and a relay cannot make equal:
 *
 * <ul>
 *   <li>both fresh 32-byte nonces: every signature covers both, so a recorded ClientFinished (or
 *       ServerHello) does not verify in any other handshake — a replayed handshake on a second
 *       connection meets a new server nonce and is refused;
 *   <li>the SHA-256 of the TLS leaf certificate the client saw ("tls-server-end-point", RFC
 *       5929). A relay that terminates TLS towards the client must present its own certificate
 *       (it does not hold the server's TLS key), so the two ends hash different certificates and
 *       neither signature verifies: the relay cannot forward a handshake from one connection onto
 *       another.
 * </ul>
 *
 * What it does not give: the binding is to the server's TLS certificate, not to the TLS session
 * keys. Someone holding the server's TLS private key could terminate TLS with the genuine
 * certificate and relay the STOQ handshake unchanged; the handshake would then succeed, but the
 * payload keys come from the ML-KEM-1024 exchange between the two real endpoints (the ciphertext
 * is signed by the server and encapsulated to the client's ephemeral key), so with payload
 * protection on such a relay still can neither read nor alter payloads — it sees only sizes and
 * timing and can drop traffic. QUIC connection IDs are not used: they are visible on the wire and
 * chosen by the endpoints, so a relay could copy them onto its own connections. With payload
 * protection off, confidentiality and integrity of payloads rest on TLS (X25519MLKEM768) alone,
 * and peer identity on STOQ's signatures.
 *
 * <p>Failures close the whole connection with a QUIC application close whose code is the {@link
 * StoqError} code (UNAUTHENTICATED 0x0203 for certificate and signature failures, HANDSHAKE_FAILED
 * 0x0204 for protocol-flow failures, or the parser's MALFORMED_FRAME / FRAME_TOO_LARGE /
 * UNSUPPORTED_VERSION) and a readable reason phrase.
 */
final class StoqHandshake {

  private static final byte[] TRANSCRIPT_LABEL = ascii("STOQ/1 transcript");
  private static final byte[] SERVER_SIGNATURE_LABEL = ascii("STOQ/1 server signature\0");
  private static final byte[] CLIENT_SIGNATURE_LABEL = ascii("STOQ/1 client signature\0");
  private static final byte[] KEYS_INFO = ascii("STOQ/1 keys");
  private static final byte[] FINISHED_LABEL = ascii("STOQ/1 server finished");

  private StoqHandshake() {}

  /** The connection binding: SHA-256 of the server's TLS leaf certificate. */
  static byte[] tlsBinding(X509Certificate tlsLeaf) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(tlsLeaf.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hash the TLS certificate", e);
    }
  }

  static byte[] transcript1(byte[] binding, byte[] clientHello, byte[] serverHelloUnsigned) {
    MessageDigest digest = sha512();
    digest.update(TRANSCRIPT_LABEL);
    lp(digest, binding);
    lp(digest, clientHello);
    lp(digest, serverHelloUnsigned);
    return digest.digest();
  }

  static byte[] chain(byte[] previous, byte[] signature) {
    MessageDigest digest = sha512();
    digest.update(previous);
    lp(digest, signature);
    return digest.digest();
  }

  private static final class Keys {
    final AesGcm c2s;
    final byte[] c2sIv;
    final AesGcm s2c;
    final byte[] s2cIv;

    Keys(byte[] sharedSecret, byte[] th1) {
      byte[] okm = Hkdf.sha512(th1, sharedSecret, KEYS_INFO, 88);
      c2s = new AesGcm(Arrays.copyOfRange(okm, 0, 32));
      c2sIv = Arrays.copyOfRange(okm, 32, 44);
      s2c = new AesGcm(Arrays.copyOfRange(okm, 44, 76));
      s2cIv = Arrays.copyOfRange(okm, 76, 88);
      Arrays.fill(okm, (byte) 0);
      Arrays.fill(sharedSecret, (byte) 0);
    }

    byte[] confirmation(byte[] th3) {
      return s2c.seal(StoqSession.nonce(s2cIv, 0, 0), concat(FINISHED_LABEL, th3), new byte[0], 0,
          0);
    }
  }

  /** The client's side; one instance per connection attempt, used on one thread. */
  static final class Client {
    private final StoqIdentity identity;
    private final CertificateVerifier verifier;
    private final String expectedServerName;
    private final boolean wantProtection;
    private final byte[] binding;
    private final MlKem.KeyPair kem = MlKem.generateKeyPair();
    private byte[] clientHello;
    private Keys keys;
    private byte[] th3;
    private boolean protection;
    private StoqPeer server;

    Client(StoqIdentity identity, String expectedServerName, boolean wantProtection,
        byte[] binding) {
      this.identity = identity;
      this.verifier = identity.verifier();
      this.expectedServerName = expectedServerName;
      this.wantProtection = wantProtection;
      this.binding = binding.clone();
    }

    HandshakeMessage.ClientHello hello() {
      HandshakeMessage.ClientHello hello =
          new HandshakeMessage.ClientHello(
              HandshakeMessage.VERSION,
              wantProtection ? HandshakeMessage.OPTION_PAYLOAD_PROTECTION : 0,
              Pq.randomBytes(HandshakeMessage.NONCE_BYTES),
              der(identity.chain()),
              kem.publicKey());
      clientHello = hello.encode();
      return hello;
    }

    /** The exact bytes of the hello sent (tests may send altered bytes instead). */
    byte[] helloBytes() {
      return clientHello.clone();
    }

    HandshakeMessage.ClientFinished onServerHello(HandshakeMessage.ServerHello hello,
        SocketAddress remote) {
      VerifiedCertificate verified;
      try {
        verified =
            verifier.verify(
                HandshakeMessage.toCertificates(hello.certificates()),
                expectedServerName,
                CertificateRole.NODE);
      } catch (CertificateRejectedException e) {
        throw new StoqException(
            StoqError.UNAUTHENTICATED,
            "server certificate refused (" + e.reason() + "): " + e.getMessage());
      }
      if (wantProtection
          && (hello.options() & HandshakeMessage.OPTION_PAYLOAD_PROTECTION) == 0) {
        throw new StoqException(
            StoqError.HANDSHAKE_FAILED, "server turned off the payload protection we asked for");
      }
      byte[] th1 = transcript1(binding, clientHello, hello.encodeUnsigned());
      if (!Falcon.verify(
          verified.publicKey(), hello.signature(), SERVER_SIGNATURE_LABEL, th1)) {
        throw new StoqException(
            StoqError.UNAUTHENTICATED,
            "server handshake signature does not verify (tampered or relayed handshake)");
      }
      byte[] secret;
      try {
        secret = kem.decapsulate(hello.kemCiphertext());
      } catch (IllegalArgumentException e) {
        throw new StoqException(StoqError.MALFORMED_FRAME, e.getMessage());
      }
      keys = new Keys(secret, th1);
      byte[] th2 = chain(th1, hello.signature());
      byte[] signature = Falcon.sign(identity.falconKey(), CLIENT_SIGNATURE_LABEL, th2);
      th3 = chain(th2, signature);
      protection = (hello.options() & HandshakeMessage.OPTION_PAYLOAD_PROTECTION) != 0;
      server =
          new StoqPeer(true, verified.commonName(), verified.role(), verified.chain(), remote);
      return new HandshakeMessage.ClientFinished(signature);
    }

    StoqSession onServerFinished(HandshakeMessage.ServerFinished finished) {
      if (keys == null) {
        throw new StoqException(StoqError.HANDSHAKE_FAILED, "ServerFinished before ServerHello");
      }
      if (!MessageDigest.isEqual(keys.confirmation(th3), finished.confirmation())) {
        throw new StoqException(
            StoqError.UNAUTHENTICATED, "server key confirmation does not match");
      }
      return new StoqSession(server, protection, keys.c2s, keys.c2sIv, keys.s2c, keys.s2cIv);
    }
  }

  /** The server's side; one instance per connection, used on its event loop. */
  static final class Server {
    private final StoqIdentity identity;
    private final CertificateVerifier verifier;
    private final boolean wantProtection;
    private final byte[] binding;
    private final SocketAddress remote;
    private VerifiedCertificate client;
    private Keys keys;
    private byte[] th2;
    private boolean protection;

    Server(StoqIdentity identity, boolean wantProtection, byte[] binding, SocketAddress remote) {
      this.identity = identity;
      this.verifier = identity.verifier();
      this.wantProtection = wantProtection;
      this.binding = binding.clone();
      this.remote = remote;
    }

    HandshakeMessage.ServerHello onClientHello(HandshakeMessage.ClientHello hello,
        byte[] helloBytes) {
      try {
        client = verifier.verify(HandshakeMessage.toCertificates(hello.certificates()), null, null);
      } catch (CertificateRejectedException e) {
        throw new StoqException(
            StoqError.UNAUTHENTICATED,
            "client certificate refused (" + e.reason() + "): " + e.getMessage());
      }
      MlKem.Encapsulation encapsulation;
      try {
        encapsulation = MlKem.encapsulate(hello.kemPublicKey());
      } catch (IllegalArgumentException e) {
        throw new StoqException(StoqError.MALFORMED_FRAME, e.getMessage());
      }
      protection =
          wantProtection
              || (hello.options() & HandshakeMessage.OPTION_PAYLOAD_PROTECTION) != 0;
      HandshakeMessage.ServerHello unsigned =
          new HandshakeMessage.ServerHello(
              protection ? HandshakeMessage.OPTION_PAYLOAD_PROTECTION : 0,
              Pq.randomBytes(HandshakeMessage.NONCE_BYTES),
              der(identity.chain()),
              encapsulation.ciphertext(),
              new byte[0]);
      byte[] th1 = transcript1(binding, helloBytes, unsigned.encodeUnsigned());
      byte[] signature = Falcon.sign(identity.falconKey(), SERVER_SIGNATURE_LABEL, th1);
      keys = new Keys(encapsulation.sharedSecret(), th1);
      th2 = chain(th1, signature);
      return new HandshakeMessage.ServerHello(
          unsigned.options(), unsigned.nonce(), unsigned.certificates(), unsigned.kemCiphertext(),
          signature);
    }

    /** Verifies the client's signature; returns the confirmation to send and the session. */
    Established onClientFinished(HandshakeMessage.ClientFinished finished) {
      if (keys == null) {
        throw new StoqException(StoqError.HANDSHAKE_FAILED, "ClientFinished before ClientHello");
      }
      if (!Falcon.verify(client.publicKey(), finished.signature(), CLIENT_SIGNATURE_LABEL, th2)) {
        throw new StoqException(
            StoqError.UNAUTHENTICATED,
            "client handshake signature does not verify (tampered, replayed or relayed)");
      }
      byte[] th3 = chain(th2, finished.signature());
      StoqPeer peer =
          new StoqPeer(true, client.commonName(), client.role(), client.chain(), remote);
      return new Established(
          new HandshakeMessage.ServerFinished(keys.confirmation(th3)),
          new StoqSession(peer, protection, keys.s2c, keys.s2cIv, keys.c2s, keys.c2sIv));
    }
  }

  record Established(HandshakeMessage.ServerFinished finished, StoqSession session) {}

  private static List<byte[]> der(List<X509Certificate> chain) {
    List<byte[]> out = new ArrayList<>(chain.size());
    for (X509Certificate certificate : chain) {
      try {
        out.add(certificate.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("cannot encode our own certificate", e);
      }
    }
    return out;
  }

  private static void lp(MessageDigest digest, byte[] bytes) {
    int n = bytes.length;
    digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    digest.update(bytes);
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
