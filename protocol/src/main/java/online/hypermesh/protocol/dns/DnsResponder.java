package online.hypermesh.protocol.dns;

import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The authoritative server's logic, bytes in and bytes out, shared by UDP, TCP and DNS over QUIC. It
 * never throws: bad input gets FORMERR (the query id echoed when it can be read), other opcodes NOTIMP,
 * names outside the zone and zone transfers REFUSED, EDNS versions above 0 BADVERS. An empty answer
 * means "send nothing" (the input was itself a response, or too short to correlate over UDP).
 *
 * <p>The asker's region (GeoDNS) comes from an EDNS Client Subnet option (RFC 7871) when the query
 * carries an IPv6 one, else from the source address; it is whichever configured region prefix holds
 * it. The ECS option is echoed with scope = the source prefix length for regional answers, 0 otherwise.
 */
public final class DnsResponder {

  private static final byte[] NOTHING = new byte[0];
  private static final int STREAM_LIMIT = 65_535;
  private static final int PLAIN_UDP_LIMIT = 512;
  private static final int ECS_FAMILY_IPV6 = 2;

  private final Supplier<DnsZone> zone;
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong internalErrors = new AtomicLong();

  /** {@code zone} is read once per query; swap the snapshot behind it to follow the cluster. */
  public DnsResponder(Supplier<DnsZone> zone) {
    this.zone = zone;
  }

  public long queries() {
    return queries.get();
  }

  /** Answers that failed inside this class (a bug) and went out as SERVFAIL; 0 is the only right value. */
  public long internalErrors() {
    return internalErrors.get();
  }

  public byte[] respond(byte[] query, InetAddress source, DnsTransport transport) {
    queries.incrementAndGet();
    int id = query.length >= 2 ? ((query[0] & 0xFF) << 8) | (query[1] & 0xFF) : -1;
    try {
      return answer(query, id, source, transport);
    } catch (RuntimeException e) {
      internalErrors.incrementAndGet();
      return headerOnly(Math.max(id, 0), Opcode.QUERY, Rcode.SERVFAIL);
    }
  }

  private byte[] answer(byte[] query, int id, InetAddress source, DnsTransport transport) {
    if (id < 0) {
      return transport.datagram() ? NOTHING : headerOnly(0, Opcode.QUERY, Rcode.FORMERR);
    }
    if (query.length < Header.LENGTH) {
      return headerOnly(id, Opcode.QUERY, Rcode.FORMERR);
    }
    if ((query[2] & 0x80) != 0) {
      // A response: answering it could start a loop between two servers.
      return NOTHING;
    }
    int opcode = (query[2] >> 3) & 0x0F;
    if (opcode != Opcode.QUERY) {
      return headerOnly(id, opcode, Rcode.NOTIMP);
    }
    DnsZone current = zone.get();
    if (query.length > current.settings().maxQueryBytes()) {
      return headerOnly(id, opcode, Rcode.FORMERR);
    }
    Message request;
    try {
      request = new Message(query);
    } catch (java.io.IOException | RuntimeException e) {
      // dnsjava signals most bad input with WireParseException, some with unchecked exceptions.
      return headerOnly(id, opcode, Rcode.FORMERR);
    }
    if (request.getHeader().getCount(Section.QUESTION) != 1) {
      return headerOnly(id, opcode, Rcode.FORMERR);
    }
    OPTRecord opt = null;
    for (Record record : request.getSection(Section.ADDITIONAL)) {
      if (record instanceof OPTRecord o) {
        if (opt != null || !record.getName().equals(org.xbill.DNS.Name.root)) {
          return headerOnly(id, opcode, Rcode.FORMERR); // RFC 6891 6.1.1: one OPT, owner root
        }
        opt = o;
      }
    }
    Record question = request.getQuestion();
    Message response = new Message(id);
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    copyFlag(request.getHeader(), header, Flags.RD);
    copyFlag(request.getHeader(), header, Flags.CD);
    response.addRecord(question, Section.QUESTION);

    int limit = transport.datagram() ? PLAIN_UDP_LIMIT : STREAM_LIMIT;
    if (opt != null) {
      int ourPayload = current.settings().maxUdpPayload();
      if (transport.datagram()) {
        limit = Math.min(Math.max(PLAIN_UDP_LIMIT, opt.getPayloadSize()), ourPayload);
      }
      int flags = opt.getFlags() & ExtendedFlags.DO;
      if (opt.getVersion() != 0) {
        header.setRcode(Rcode.BADVERS & 0x0F);
        response.addRecord(new OPTRecord(ourPayload, Rcode.BADVERS >>> 4, 0, flags), Section.ADDITIONAL);
        return wire(response, limit);
      }
    }

    int type = question.getType();
    int rcode;
    DnsZone.Lookup lookup = null;
    ClientSubnetOption ecs = opt == null ? null : clientSubnet(opt);
    if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
      rcode = Rcode.REFUSED;
    } else if (question.getDClass() == DClass.ANY || type == Type.AXFR || type == Type.IXFR) {
      rcode = Rcode.REFUSED; // no zone transfers, no class ANY
    } else if (type == Type.OPT || type == Type.TSIG || type == Type.TKEY || type == Type.MAILA || type == Type.MAILB) {
      rcode = Rcode.FORMERR; // meta types that are no question
    } else {
      lookup = current.lookup(question.getName(), type, region(current, ecs, source));
      rcode = lookup.rcode();
    }
    header.setRcode(rcode);
    if (lookup != null) {
      if (lookup.authoritative()) {
        header.setFlag(Flags.AA);
      }
      lookup.answer().forEach(r -> response.addRecord(r, Section.ANSWER));
      lookup.authority().forEach(r -> response.addRecord(r, Section.AUTHORITY));
    }
    if (opt != null) {
      List<EDNSOption> options = ecs == null ? List.of() : List.of(new ClientSubnetOption(
          ecs.getSourcePrefixLength(), lookup != null && lookup.regional() ? ecs.getSourcePrefixLength() : 0, ecs.getAddress()));
      response.addRecord(new OPTRecord(current.settings().maxUdpPayload(), 0, 0, opt.getFlags() & ExtendedFlags.DO, options),
          Section.ADDITIONAL);
    }
    return wire(response, limit);
  }

  private static ClientSubnetOption clientSubnet(OPTRecord opt) {
    for (EDNSOption option : opt.getOptions(EDNSOption.Code.CLIENT_SUBNET)) {
      if (option instanceof ClientSubnetOption ecs) {
        return ecs;
      }
    }
    return null;
  }

  private static Optional<String> region(DnsZone zone, ClientSubnetOption ecs, InetAddress source) {
    if (ecs != null) {
      if (ecs.getFamily() != ECS_FAMILY_IPV6 || ecs.getSourcePrefixLength() == 0) {
        return Optional.empty(); // an IPv4 subnet places nobody in an IPv6 network; 0 bits: the client opted out
      }
      return zone.regionOf(ecs.getAddress().getAddress(), ecs.getSourcePrefixLength());
    }
    if (source instanceof Inet6Address v6) {
      return zone.regionOf(v6.getAddress(), 128);
    }
    return Optional.empty();
  }

  /** The message within {@code limit} bytes; if it does not fit, the question and OPT alone with TC set. */
  private static byte[] wire(Message response, int limit) {
    byte[] full = response.toWire();
    if (full.length <= limit) {
      return full;
    }
    Message truncated = new Message(response.getHeader().getID());
    Header header = truncated.getHeader();
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.CD}) {
      copyFlag(response.getHeader(), header, flag);
    }
    header.setFlag(Flags.TC);
    header.setRcode(response.getHeader().getRcode());
    truncated.addRecord(response.getQuestion(), Section.QUESTION);
    OPTRecord opt = response.getOPT();
    if (opt != null) {
      truncated.addRecord(opt, Section.ADDITIONAL);
    }
    byte[] small = truncated.toWire();
    return small.length <= limit ? small : headerOnly(header.getID(), Opcode.QUERY, header.getRcode(), true);
  }

  private static void copyFlag(Header from, Header to, int flag) {
    if (from.getFlag(flag)) {
      to.setFlag(flag);
    }
  }

  private static byte[] headerOnly(int id, int opcode, int rcode) {
    return headerOnly(id, opcode, rcode, false);
  }

  /** A 12-byte answer with no sections: for queries we cannot or will not parse. */
  private static byte[] headerOnly(int id, int opcode, int rcode, boolean truncated) {
    return new byte[] {
        (byte) (id >>> 8), (byte) id,
        (byte) (0x80 | (opcode << 3) | (truncated ? 0x02 : 0)), (byte) rcode,
        0, 0, 0, 0, 0, 0, 0, 0};
  }
}
