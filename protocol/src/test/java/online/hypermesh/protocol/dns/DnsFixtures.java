package online.hypermesh.protocol.dns;

import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A zone of real nodes: node-1 and node-2 in eu-west (2001:db8:e::/48), node-3 in us-east (2001:db8:a::/48). */
final class DnsFixtures {

  static final NodeLocalCa CA = NodeLocalCa.create("dns test CA", Duration.ofDays(1));
  /** node-1's real FALCON-1024 certificate, for the TLSA check. */
  static final Identity NODE_1 = CA.issueIdentity(LeafSpec.of("node-1", CertificateRole.NODE,
      List.of("node-1.hypermesh.online"), List.of(v6("2001:db8:e::1")), Duration.ofHours(1)));

  static final DnsSettings SETTINGS = DnsSettings.defaults().withRegionPrefixes(Map.of(
      "eu-west", List.of(Ipv6Prefix.parse("2001:db8:e::/48")),
      "us-east", List.of(Ipv6Prefix.parse("2001:db8:a::/48"))));

  private DnsFixtures() {
  }

  static List<DnsNode> nodes() {
    byte[] other = new byte[32];
    other[0] = 7;
    return List.of(
        new DnsNode("node-1", v6("2001:db8:e::1"), 8443, "eu-west", DnsNode.spkiSha256(NODE_1.leaf())),
        new DnsNode("node-2", v6("2001:db8:e::2"), 8443, "eu-west", other),
        new DnsNode("node-3", v6("2001:db8:a::3"), 8443, "us-east", other));
  }

  static DnsZone zone() {
    return DnsZone.of(SETTINGS, "node-1", nodes(), 42);
  }

  /** {@code count} nodes in region "local", enough to overflow 512 bytes from about 20. */
  static DnsZone bigZone(int count) {
    List<DnsNode> nodes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      nodes.add(new DnsNode("node-" + i, v6("2001:db8:f::" + Integer.toHexString(i)), 8443, "local", new byte[32]));
    }
    return DnsZone.of(SETTINGS, "node-1", nodes, 1);
  }

  static Inet6Address v6(String text) {
    try {
      return (Inet6Address) InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Message query(String name, int type) {
    try {
      return Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Message withEdns(Message query, int payload, ClientSubnetOption... options) {
    query.addRecord(new OPTRecord(payload, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
    return query;
  }

  static Message parse(byte[] wire) {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
