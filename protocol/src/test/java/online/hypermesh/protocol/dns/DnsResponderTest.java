package online.hypermesh.protocol.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static online.hypermesh.protocol.dns.DnsFixtures.parse;
import static online.hypermesh.protocol.dns.DnsFixtures.query;
import static online.hypermesh.protocol.dns.DnsFixtures.v6;
import static online.hypermesh.protocol.dns.DnsFixtures.withEdns;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsResponderTest {

  private static final InetAddress ELSEWHERE = v6("2001:db8:99::1");
  private final DnsResponder responder = new DnsResponder(DnsFixtures::zone);

  private Message ask(Message query, InetAddress source, DnsTransport transport) {
    byte[] answer = responder.respond(query.toWire(), source, transport);
    Message response = parse(answer);
    assertEquals(query.getHeader().getID(), response.getHeader().getID());
    assertTrue(response.getHeader().getFlag(Flags.QR));
    return response;
  }

  private Message ask(String name, int type) {
    return ask(query(name, type), ELSEWHERE, DnsTransport.UDP);
  }

  private static Set<String> addresses(Message response) {
    return response.getSection(Section.ANSWER).stream()
        .map(r -> ((AAAARecord) r).getAddress().getHostAddress()).collect(Collectors.toSet());
  }

  @Test
  void aServiceNameAnswersEveryHealthyNodeToAnAskerOfUnknownRegion() {
    Message response = ask("trust.hypermesh.online.", Type.AAAA);
    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(response.getHeader().getFlag(Flags.AA));
    assertEquals(Set.of("2001:db8:e:0:0:0:0:1", "2001:db8:e:0:0:0:0:2", "2001:db8:a:0:0:0:0:3"), addresses(response));
    for (String service : List.of("stoq", "catalog", "caesar", "ngauge", "TRUST")) {
      assertEquals(3, ask(service + ".hypermesh.online.", Type.AAAA).getSection(Section.ANSWER).size(), service);
    }
  }

  @Test
  void askersInARegionGetThatRegionsNodes() {
    Message eu = ask(query("trust.hypermesh.online.", Type.AAAA), v6("2001:db8:e:5::9"), DnsTransport.UDP);
    assertEquals(Set.of("2001:db8:e:0:0:0:0:1", "2001:db8:e:0:0:0:0:2"), addresses(eu));
    Message us = ask(query("stoq.hypermesh.online.", Type.AAAA), v6("2001:db8:a::77"), DnsTransport.QUIC);
    assertEquals(Set.of("2001:db8:a:0:0:0:0:3"), addresses(us));
  }

  @Test
  void aClientSubnetOptionOverridesTheResolversAddress() {
    ClientSubnetOption subnet = new ClientSubnetOption(56, v6("2001:db8:a:1200::"));
    Message response = ask(withEdns(query("catalog.hypermesh.online.", Type.AAAA), 1232, subnet), v6("2001:db8:e::53"), DnsTransport.UDP);
    assertEquals(Set.of("2001:db8:a:0:0:0:0:3"), addresses(response));
    ClientSubnetOption echoed = (ClientSubnetOption) response.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET).get(0);
    assertEquals(56, echoed.getSourcePrefixLength());
    assertEquals(56, echoed.getScopePrefixLength());

    // Too wide to lie inside one region's /48: the answer is every node.
    Message wide = ask(withEdns(query("catalog.hypermesh.online.", Type.AAAA), 1232, new ClientSubnetOption(32, v6("2001:db8::"))),
        v6("2001:db8:e::53"), DnsTransport.UDP);
    assertEquals(3, wide.getSection(Section.ANSWER).size());
  }

  @Test
  void nodeNamesHaveAaaaAndATlsaRecordOfTheirCertificatesKey() throws Exception {
    Message aaaa = ask("node-3.hypermesh.online.", Type.AAAA);
    assertEquals(Set.of("2001:db8:a:0:0:0:0:3"), addresses(aaaa));

    Message tlsa = ask("_8443._udp.node-1.hypermesh.online.", Type.TLSA);
    TLSARecord record = assertInstanceOf(TLSARecord.class, tlsa.getSection(Section.ANSWER).get(0));
    assertEquals(3, record.getCertificateUsage());
    assertEquals(1, record.getSelector());
    assertEquals(1, record.getMatchingType());
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(DnsFixtures.NODE_1.leaf().getPublicKey().getEncoded());
    assertArrayEquals(expected, record.getCertificateAssociationData());
  }

  @Test
  void theApexHasSoaAndTheHealthyNodesAsNameServers() {
    Message soa = ask("hypermesh.online.", Type.SOA);
    SOARecord record = assertInstanceOf(SOARecord.class, soa.getSection(Section.ANSWER).get(0));
    assertEquals("node-1.hypermesh.online.", record.getHost().toString());
    assertEquals(42, record.getSerial());
    Set<String> ns = ask("hypermesh.online.", Type.NS).getSection(Section.ANSWER).stream()
        .map(r -> ((NSRecord) r).getTarget().toString()).collect(Collectors.toSet());
    assertEquals(Set.of("node-1.hypermesh.online.", "node-2.hypermesh.online.", "node-3.hypermesh.online."), ns);
  }

  @Test
  void missingNamesAreNxdomainAndMissingTypesNodataBothWithTheSoa() {
    Message nx = ask("node-9.hypermesh.online.", Type.AAAA);
    assertEquals(Rcode.NXDOMAIN, nx.getRcode());
    assertTrue(nx.getHeader().getFlag(Flags.AA));
    assertTrue(nx.getSection(Section.ANSWER).isEmpty());
    assertInstanceOf(SOARecord.class, nx.getSection(Section.AUTHORITY).get(0));

    for (Message nodata : List.of(ask("node-1.hypermesh.online.", Type.TXT), ask("trust.hypermesh.online.", Type.A),
        ask("_udp.node-1.hypermesh.online.", Type.TLSA))) { // the last is an empty non-terminal (RFC 8020)
      assertEquals(Rcode.NOERROR, nodata.getRcode(), nodata.toString());
      assertTrue(nodata.getSection(Section.ANSWER).isEmpty());
      assertInstanceOf(SOARecord.class, nodata.getSection(Section.AUTHORITY).get(0));
    }
  }

  @Test
  void namesOutsideTheZoneZoneTransfersAndOtherClassesAreRefused() {
    for (Message refused : List.of(ask("example.com.", Type.AAAA), ask("hypermesh.online.", Type.AXFR),
        ask("online.", Type.SOA))) {
      assertEquals(Rcode.REFUSED, refused.getRcode());
      assertFalse(refused.getHeader().getFlag(Flags.AA));
    }
  }

  @Test
  void otherOpcodesAreNotImplemented() {
    Message update = Message.newUpdate(DnsFixtures.zone().origin());
    Message response = ask(update, ELSEWHERE, DnsTransport.TCP);
    assertEquals(Rcode.NOTIMP, response.getRcode());
    assertEquals(Opcode.UPDATE, response.getHeader().getOpcode());
  }

  @Test
  void garbageIsFormerrWithTheIdEchoedAndResponsesAreNotAnswered() {
    byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 'x'};
    Message formerr = parse(responder.respond(garbage, ELSEWHERE, DnsTransport.UDP));
    assertEquals(0x1234, formerr.getHeader().getID());
    assertEquals(Rcode.FORMERR, formerr.getRcode());
    assertEquals(Rcode.FORMERR, parse(responder.respond(new byte[] {0x55, 0x66, 0x00}, ELSEWHERE, DnsTransport.UDP)).getRcode());

    byte[] response = query("trust.hypermesh.online.", Type.AAAA).toWire();
    response[2] |= (byte) 0x80;
    assertEquals(0, responder.respond(response, ELSEWHERE, DnsTransport.UDP).length);
    assertEquals(0, responder.respond(new byte[] {1}, ELSEWHERE, DnsTransport.UDP).length);

    byte[] oversize = new byte[5000];
    oversize[0] = 0x0a;
    assertEquals(Rcode.FORMERR, parse(responder.respond(oversize, ELSEWHERE, DnsTransport.QUIC)).getRcode());
    assertEquals(0, responder.internalErrors());
  }

  @Test
  void ednsVersionOneIsBadvers() {
    Message query = query("trust.hypermesh.online.", Type.AAAA);
    query.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    Message response = ask(query, ELSEWHERE, DnsTransport.UDP);
    assertEquals(Rcode.BADVERS, response.getRcode());
  }

  @Test
  void udpAnswersAreTruncatedTo512BytesWithoutEdnsAndToTheAdvertisedSizeWithIt() {
    DnsResponder big = new DnsResponder(() -> DnsFixtures.bigZone(60));
    Message query = query("trust.hypermesh.online.", Type.AAAA);
    byte[] plain = big.respond(query.toWire(), ELSEWHERE, DnsTransport.UDP);
    assertTrue(plain.length <= 512, "length " + plain.length);
    Message truncated = parse(plain);
    assertTrue(truncated.getHeader().getFlag(Flags.TC));
    assertEquals("trust.hypermesh.online.", truncated.getQuestion().getName().toString());

    byte[] edns = big.respond(withEdns(query("trust.hypermesh.online.", Type.AAAA), 4096).toWire(), ELSEWHERE, DnsTransport.UDP);
    assertTrue(edns.length <= 1232, "our limit is 1232: " + edns.length);
    Message whole = parse(big.respond(query.toWire(), ELSEWHERE, DnsTransport.TCP));
    assertFalse(whole.getHeader().getFlag(Flags.TC));
    assertEquals(60, whole.getSection(Section.ANSWER).size());

    Message small = parse(big.respond(withEdns(query("node-1.hypermesh.online.", Type.AAAA), 1232).toWire(), ELSEWHERE, DnsTransport.UDP));
    assertFalse(small.getHeader().getFlag(Flags.TC));
    assertNotNull(small.getOPT(), "an EDNS query gets an OPT back");
    assertNull(parse(big.respond(query.toWire(), ELSEWHERE, DnsTransport.UDP)).getOPT());
  }

  @Test
  void nodesSharingAnAddressGiveOneRecord() {
    List<DnsNode> sameHost = List.of(
        new DnsNode("node-1", v6("::1"), 8443, "local", new byte[32]),
        new DnsNode("node-2", v6("::1"), 8453, "local", new byte[32]));
    DnsResponder responder = new DnsResponder(() -> DnsZone.of(DnsFixtures.SETTINGS, "node-1", sameHost, 1));
    Message answer = parse(responder.respond(query("stoq.hypermesh.online.", Type.AAAA).toWire(), ELSEWHERE, DnsTransport.UDP));
    assertEquals(1, answer.getSection(Section.ANSWER).size());
    Message tlsa = parse(responder.respond(query("_8453._udp.node-2.hypermesh.online.", Type.TLSA).toWire(), ELSEWHERE, DnsTransport.UDP));
    assertEquals(1, tlsa.getSection(Section.ANSWER).size());
  }

  @Test
  void unhealthyNodesAreNotPublished() {
    List<DnsNode> onlyTwo = DnsFixtures.nodes().subList(0, 2);
    DnsResponder responder = new DnsResponder(() -> DnsZone.of(DnsFixtures.SETTINGS, "node-1", onlyTwo, 43));
    Message answer = parse(responder.respond(query("trust.hypermesh.online.", Type.AAAA).toWire(), v6("2001:db8:a::9"), DnsTransport.UDP));
    // The asker's region (us-east) has no healthy node: it gets the others rather than nothing.
    assertEquals(Set.of("2001:db8:e:0:0:0:0:1", "2001:db8:e:0:0:0:0:2"), addresses(answer));
    Message gone = parse(responder.respond(query("node-3.hypermesh.online.", Type.AAAA).toWire(), ELSEWHERE, DnsTransport.UDP));
    assertEquals(Rcode.NXDOMAIN, gone.getRcode());
    List<Record> ns = parse(responder.respond(query("hypermesh.online.", Type.NS).toWire(), ELSEWHERE, DnsTransport.UDP))
        .getSection(Section.ANSWER);
    assertEquals(2, ns.size());
  }
}
