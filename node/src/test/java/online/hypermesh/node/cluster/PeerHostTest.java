package online.hypermesh.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Dialling a cluster address whose host is a DNS name: IPv6 only, with the name kept for certificate checks. */
class PeerHostTest {

  private static InetAddress[] addresses(String name, String... literals) throws UnknownHostException {
    InetAddress[] result = new InetAddress[literals.length];
    for (int i = 0; i < literals.length; i++) {
      result[i] = InetAddress.getByAddress(name, InetAddress.getByName(literals[i]).getAddress());
    }
    return result;
  }

  @Test
  void aNameResolvesToItsFirstIpv6AddressAndKeepsTheName() throws Exception {
    InetSocketAddress target = PeerHost.resolve("hypermesh-1.hypermesh-nodes.prod.svc.cluster.local", 8443,
        host -> addresses(host, "192.0.2.7", "2001:db8::7", "2001:db8::8"));
    assertInstanceOf(Inet6Address.class, target.getAddress());
    assertEquals("2001:db8:0:0:0:0:0:7", target.getAddress().getHostAddress());
    assertEquals(8443, target.getPort());
    // What TLS and the STOQ handshake check the server certificate against.
    assertEquals("hypermesh-1.hypermesh-nodes.prod.svc.cluster.local", target.getHostString());
  }

  @Test
  void aNameWithOnlyIpv4AddressesIsAClearError() {
    UnknownHostException e = assertThrows(UnknownHostException.class,
        () -> PeerHost.resolve("v4only.example", 8443, host -> addresses(host, "192.0.2.7")));
    assertEquals("v4only.example has no IPv6 address (resolves to [192.0.2.7]); the cluster is IPv6 only",
        e.getMessage());
  }

  @Test
  void anUnknownNameSaysSo() {
    UnknownHostException e = assertThrows(UnknownHostException.class,
        () -> PeerHost.resolve("gone.example", 8443, host -> {
          throw new UnknownHostException(host + ": Name or service not known");
        }));
    assertTrue(e.getMessage().startsWith("cannot resolve gone.example ("), e.getMessage());
  }

  @Test
  void aBracketedLiteralIsUsedAsItIs() throws Exception {
    InetSocketAddress target = PeerHost.resolve("[::1]", 9000, InetAddress::getAllByName);
    assertEquals(InetAddress.getByName("::1"), target.getAddress());
    assertEquals("::1", target.getHostString());
    assertTrue(PeerHost.isLiteral("[2001:db8::1]"));
    assertTrue(PeerHost.isLiteral("192.0.2.1"));
    assertFalse(PeerHost.isLiteral("hypermesh-0.hypermesh-nodes.prod.svc.cluster.local"));
  }
}
