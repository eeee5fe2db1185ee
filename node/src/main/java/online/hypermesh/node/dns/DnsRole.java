package online.hypermesh.node.dns;

import online.hypermesh.protocol.dns.DnsNode;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a node tells the cluster about itself for DNS, carried as one Pekko cluster role:
 * {@code hypermesh-dns/NAME/ADDRESS/PORT/SPKI-SHA256-HEX/REGION}. Roles travel with membership
 * gossip to every node, are fixed for a member's lifetime (as its address, port and key are) and
 * are gone when it leaves: no extra replication to run. About 130 bytes per member.
 */
final class DnsRole {

  static final String PREFIX = "hypermesh-dns/";

  private DnsRole() {
  }

  static String encode(DnsNode node) {
    return PREFIX + node.name() + "/" + node.address().getHostAddress() + "/" + node.stoqPort() + "/"
        + HexFormat.of().formatHex(node.spkiSha256()) + "/" + node.region();
  }

  /** The node a role describes; empty for other roles and for malformed ones (another version's). */
  static Optional<DnsNode> decode(String role) {
    if (!role.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = role.substring(PREFIX.length()).split("/", 5);
    if (parts.length != 5 || !parts[1].contains(":")) {
      return Optional.empty();
    }
    try {
      InetAddress address = InetAddress.getByName(parts[1]);
      if (!(address instanceof Inet6Address v6)) {
        return Optional.empty();
      }
      return Optional.of(new DnsNode(parts[0], v6, Integer.parseInt(parts[2]), parts[4], HexFormat.of().parseHex(parts[3])));
    } catch (UnknownHostException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
