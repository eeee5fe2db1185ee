package online.hypermesh.node.cluster;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The host of a cluster address as something to dial: an IPv6 literal as it is, a DNS name (e.g.
 * a Kubernetes pod's stable name) resolved to its first IPv6 address. The resolved address keeps
 * the host as written, so TLS and the STOQ handshake check the certificate against the name that
 * was dialled, not against the address it resolved to.
 */
final class PeerHost {

  /** Looks a name up; {@code InetAddress::getAllByName} outside tests. */
  @FunctionalInterface
  interface Lookup {
    InetAddress[] all(String host) throws UnknownHostException;
  }

  private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

  private PeerHost() {
  }

  /** Whether {@code host} (brackets allowed) is an IP literal rather than a DNS name. */
  static boolean isLiteral(String host) {
    String bare = RemotingAdmission.bare(host);
    return bare.contains(":") || IPV4.matcher(bare).matches();
  }

  /**
   * {@code host}:{@code port} with an IPv6 address.
   *
   * @throws UnknownHostException the name does not resolve, resolves to no IPv6 address, or the
   *     literal is IPv4; the message says which
   */
  static InetSocketAddress resolve(String host, int port, Lookup lookup) throws UnknownHostException {
    String bare = RemotingAdmission.bare(host);
    InetAddress[] addresses;
    try {
      addresses = lookup.all(bare);
    } catch (UnknownHostException e) {
      throw new UnknownHostException("cannot resolve " + bare + " (" + e.getMessage() + ")");
    }
    for (InetAddress address : addresses) {
      if (address instanceof Inet6Address v6) {
        return new InetSocketAddress(
            Inet6Address.getByAddress(bare, v6.getAddress(), v6.getScopeId() > 0 ? v6.getScopeId() : -1),
            port);
      }
    }
    String found = Arrays.stream(addresses).map(InetAddress::getHostAddress).toList().toString();
    throw new UnknownHostException(bare + " has no IPv6 address (resolves to " + found
        + "); the cluster is IPv6 only");
  }
}
