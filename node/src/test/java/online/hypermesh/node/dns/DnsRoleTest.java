package online.hypermesh.node.dns;

import online.hypermesh.protocol.dns.DnsNode;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsRoleTest {

  @Test
  void aNodeSurvivesTheRoundTripThroughItsRole() throws Exception {
    byte[] key = new byte[32];
    key[31] = (byte) 0xab;
    DnsNode node = new DnsNode("node-12", (Inet6Address) InetAddress.getByName("2001:db8::12"), 8453, "eu-west/2", key);
    String role = DnsRole.encode(node);
    assertTrue(role.startsWith("hypermesh-dns/node-12/2001:db8:0:0:0:0:0:12/8453/"), role);
    assertEquals(Optional.of(node), DnsRole.decode(role));
  }

  @Test
  void otherAndMalformedRolesAreIgnored() {
    for (String role : new String[] {"dc-default", "hypermesh-dns/", "hypermesh-dns/node-1/10.0.0.1/8443/00/eu",
        "hypermesh-dns/node-1/::1/99999/" + "00".repeat(32) + "/eu", "hypermesh-dns/Node_1/::1/8443/" + "00".repeat(32) + "/eu",
        "hypermesh-dns/node-1/::1/8443/zz/eu"}) {
      assertEquals(Optional.empty(), DnsRole.decode(role), role);
    }
  }
}
