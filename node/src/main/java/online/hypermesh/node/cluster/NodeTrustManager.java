package online.hypermesh.node.cluster;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.DelegatedTlsCredential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a TLS peer only with a delegated certificate whose FALCON identity chain our verifier
 * accepts for {@code role}. Extends {@link X509ExtendedTrustManager} so the JDK uses it as it is
 * (a plain X509TrustManager would be wrapped with PKIX algorithm checks that know no FALCON).
 */
final class NodeTrustManager extends X509ExtendedTrustManager {

  private static final Logger log = LoggerFactory.getLogger(NodeTrustManager.class);

  private final CertificateVerifier verifier;
  private final CertificateRole role;
  private final Clock clock;

  NodeTrustManager(CertificateVerifier verifier, CertificateRole role, Clock clock) {
    this.verifier = verifier;
    this.role = role;
    this.clock = clock;
  }

  private void check(X509Certificate[] chain, String side) throws CertificateException {
    try {
      DelegatedTlsCredential.verify(chain, verifier, role, clock);
    } catch (CertificateRejectedException e) {
      log.warn("Artery TLS: refused {} certificate: {}", side, e.toString());
      throw new CertificateException(e.toString());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, "server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
