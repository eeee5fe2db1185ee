package online.hypermesh.protocol.stoq;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import online.hypermesh.protocol.crypto.CertificateRole;

/**
 * The other end of a STOQ connection as the handshake established it, for authorization.
 *
 * @param authenticated false only on a server in development mode (no {@link StoqIdentity}):
 *     then every other field but {@code remoteAddress} is empty
 * @param commonName the CN of the peer's verified leaf certificate
 * @param role its role (OU), e.g. node or client
 * @param chain the verified chain, leaf first
 * @param remoteAddress the peer's UDP address (informational; not authenticated)
 */
public record StoqPeer(
    boolean authenticated,
    String commonName,
    CertificateRole role,
    List<X509Certificate> chain,
    SocketAddress remoteAddress) {

  public StoqPeer {
    chain = List.copyOf(chain);
  }

  static StoqPeer unauthenticated(SocketAddress remoteAddress) {
    return new StoqPeer(false, "", null, List.of(), remoteAddress);
  }

  /** The verified leaf certificate, or null when not authenticated. */
  public X509Certificate certificate() {
    return chain.isEmpty() ? null : chain.get(0);
  }
}
