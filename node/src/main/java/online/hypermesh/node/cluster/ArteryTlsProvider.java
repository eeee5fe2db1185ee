package online.hypermesh.node.cluster;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import java.security.cert.X509Certificate;
import online.hypermesh.node.trustchain.NodeIdentity;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.DelegatedTlsCredential;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * TLS for Pekko Artery (the cluster's own transport, {@code transport = tls-tcp}) with the node's
 * STOQ identity: each node makes an ECDSA key at start and certifies it with its FALCON-1024 node
 * key ({@link DelegatedTlsCredential}); both ends require the other's chain to lead to the same
 * trust anchor with role NODE, not expired and not revoked. So a process that can reach the
 * Artery port but holds no node certificate from our CA cannot join the cluster or send it a
 * message.
 *
 * <p>Configured in cluster-config/base.conf; Pekko instantiates it with the ActorSystem. The
 * delegated certificate is renewed in memory when a quarter of its validity is left, and as soon
 * as the node's certificate is renewed ({@link NodeIdentity}); connections already open keep theirs.
 */
public final class ArteryTlsProvider implements SSLEngineProvider {

  private static final Logger log = LoggerFactory.getLogger(ArteryTlsProvider.class);

  private final NodeIdentity nodeIdentity;
  private final Duration maxValidity;
  private final CertificateVerifier verifier;
  private final SecureRandom random = new SecureRandom();

  private SSLContext context;
  private Instant renewAfter = Instant.MIN;
  /** The node certificate the current delegated credential is certified by. */
  private X509Certificate certifiedBy;

  public ArteryTlsProvider(ActorSystem system) {
    this.nodeIdentity = NodeIdentity.get(system);
    this.maxValidity =
        system.settings().config().getDuration("hypermesh.remoting.tls.certificate-validity");
    StoqIdentity identity = nodeIdentity.current();
    this.verifier = new CertificateVerifier(identity.trustAnchor(), identity.revoked());
  }

  private synchronized SSLContext context() {
    Instant now = Instant.now();
    StoqIdentity identity = nodeIdentity.current();
    // A renewed node certificate gets a new delegated credential at the next connection.
    if (context == null || now.isAfter(renewAfter) || !identity.chain().get(0).equals(certifiedBy)) {
      certifiedBy = identity.chain().get(0);
      DelegatedTlsCredential credential =
          DelegatedTlsCredential.delegate(
              new Identity(identity.falconKey(), identity.chain()), maxValidity);
      Instant notBefore = credential.chain().get(0).getNotBefore().toInstant();
      Instant notAfter = credential.chain().get(0).getNotAfter().toInstant();
      renewAfter = notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(4));
      try {
        SSLContext fresh = SSLContext.getInstance("TLSv1.3");
        fresh.init(
            new KeyManager[] {new DelegatedKeyManager(credential)},
            new TrustManager[] {
              new NodeTrustManager(verifier, CertificateRole.NODE, Clock.systemUTC())
            },
            random);
        context = fresh;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot set up Artery TLS: " + e, e);
      }
      log.info("Artery TLS certificate for {} valid until {}",
          credential.chain().get(1).getSubjectX500Principal(), notAfter);
    }
    return context;
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    SSLEngine engine = context().createSSLEngine(hostname, port);
    engine.setUseClientMode(false);
    engine.setNeedClientAuth(true);
    engine.setEnabledProtocols(new String[] {"TLSv1.3"});
    return engine;
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    SSLEngine engine = context().createSSLEngine(hostname, port);
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {"TLSv1.3"});
    return engine;
  }

  // The trust manager already refused anything that is not a node of our CA.
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    return Option.empty();
  }

  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return Option.empty();
  }
}
