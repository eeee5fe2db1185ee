package online.hypermesh.protocol.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of the {@code hypermesh.online} zone as one node sees the cluster: built again
 * whenever membership changes, read by any number of responder threads without locks.
 *
 * <p>Contents: SOA and NS at the apex (the NS set is the healthy nodes: each of them serves the zone);
 * {@code node-N} AAAA and {@code _PORT._udp.node-N} TLSA 3 1 1 per healthy node; each service label
 * ({@code trust}, {@code stoq}, ...) AAAA of every healthy node, or of the healthy nodes of the asker's
 * region when it has any (every node runs every layer, so any node can serve any service).
 */
public final class DnsZone {

  /** What a name and type resolve to; {@code answer} empty with NOERROR is NODATA. */
  public record Lookup(int rcode, boolean authoritative, List<Record> answer, List<Record> authority, boolean regional) {
  }

  private final DnsSettings settings;
  private final Name origin;
  private final SOARecord soa;
  private final List<DnsNode> nodes;
  /** Name -> type -> records, for everything that does not depend on the asker. */
  private final Map<Name, Map<Integer, List<Record>>> fixed;
  /** Service name -> region ("" = all healthy nodes) -> AAAA records. */
  private final Map<Name, Map<String, List<Record>>> services;
  /** Every name that exists, empty non-terminals included (RFC 8020: NODATA, not NXDOMAIN). */
  private final Set<Name> names;

  private DnsZone(DnsSettings settings, Name origin, SOARecord soa, List<DnsNode> nodes,
                  Map<Name, Map<Integer, List<Record>>> fixed, Map<Name, Map<String, List<Record>>> services, Set<Name> names) {
    this.settings = settings;
    this.origin = origin;
    this.soa = soa;
    this.nodes = nodes;
    this.fixed = fixed;
    this.services = services;
    this.names = names;
  }

  /**
   * @param selfName the answering node's label (the SOA's primary)
   * @param healthy the nodes that are Up and ready; a node whose label collides with a service label or
   *     an earlier node is left out
   * @param serial the SOA serial: must grow when the contents change
   */
  public static DnsZone of(DnsSettings settings, String selfName, List<DnsNode> healthy, long serial) {
    Name origin = absolute(settings.zone(), Name.root);
    long ttl = settings.ttlSeconds();
    Set<String> serviceLabels = new HashSet<>(settings.services());
    List<DnsNode> nodes = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (DnsNode node : healthy.stream().sorted(Comparator.comparing(DnsNode::name)).toList()) {
      if (!serviceLabels.contains(node.name()) && taken.add(node.name())) {
        nodes.add(node);
      }
    }
    Name primary = absolute(selfName, origin);
    SOARecord soa = new SOARecord(origin, DClass.IN, settings.negativeTtlSeconds(), primary, absolute("hostmaster", origin),
        serial & 0xFFFF_FFFFL, 3600, 600, 86_400, settings.negativeTtlSeconds());

    Map<Name, Map<Integer, List<Record>>> fixed = new HashMap<>();
    put(fixed, soa);
    if (nodes.isEmpty()) {
      put(fixed, new NSRecord(origin, DClass.IN, ttl, primary));
    }
    for (DnsNode node : nodes) {
      Name name = absolute(node.name(), origin);
      put(fixed, new NSRecord(origin, DClass.IN, ttl, name));
      put(fixed, new AAAARecord(name, DClass.IN, ttl, node.address()));
      Name tlsa = absolute("_" + node.stoqPort() + "._udp." + node.name(), origin);
      put(fixed, new TLSARecord(tlsa, DClass.IN, ttl, TLSARecord.CertificateUsage.DOMAIN_ISSUED_CERTIFICATE,
          TLSARecord.Selector.SUBJECT_PUBLIC_KEY_INFO, TLSARecord.MatchingType.SHA256, node.spkiSha256()));
    }

    Map<Name, Map<String, List<Record>>> services = new HashMap<>();
    for (String label : settings.services()) {
      Name name = absolute(label, origin);
      Map<String, List<Record>> byRegion = new LinkedHashMap<>();
      for (DnsNode node : nodes) {
        Record aaaa = new AAAARecord(name, DClass.IN, ttl, node.address());
        // Nodes sharing an address (a one-machine cluster on ::1) give one record: an RRset has no duplicates.
        for (String region : List.of("", node.region())) {
          List<Record> records = byRegion.computeIfAbsent(region, r -> new ArrayList<>());
          if (!records.contains(aaaa)) {
            records.add(aaaa);
          }
        }
      }
      byRegion.replaceAll((region, records) -> List.copyOf(records));
      services.put(name, Collections.unmodifiableMap(byRegion));
    }

    Set<Name> names = new HashSet<>();
    for (Name name : fixed.keySet()) {
      addWithAncestors(names, name, origin);
    }
    for (Name name : services.keySet()) {
      addWithAncestors(names, name, origin);
    }
    fixed.replaceAll((name, byType) -> {
      byType.replaceAll((type, records) -> List.copyOf(records));
      return Collections.unmodifiableMap(byType);
    });
    return new DnsZone(settings, origin, soa, List.copyOf(nodes), Map.copyOf(fixed), Map.copyOf(services), Set.copyOf(names));
  }

  public Name origin() {
    return origin;
  }

  public DnsSettings settings() {
    return settings;
  }

  /** The nodes the zone publishes, by name. */
  public List<DnsNode> nodes() {
    return nodes;
  }

  public long serial() {
    return soa.getSerial();
  }

  /**
   * Answers {@code qname}/{@code qtype} (class IN) for an asker of {@code region} (empty: unknown).
   * Names outside the zone are REFUSED: this server is authoritative only and does no recursion.
   */
  public Lookup lookup(Name qname, int qtype, Optional<String> region) {
    if (!qname.subdomain(origin)) {
      return new Lookup(org.xbill.DNS.Rcode.REFUSED, false, List.of(), List.of(), false);
    }
    if (!names.contains(qname)) {
      return new Lookup(org.xbill.DNS.Rcode.NXDOMAIN, true, List.of(), List.of(soa), false);
    }
    List<Record> answer = new ArrayList<>();
    Map<Integer, List<Record>> byType = fixed.getOrDefault(qname, Map.of());
    if (qtype == Type.ANY) {
      byType.values().forEach(answer::addAll);
    } else {
      answer.addAll(byType.getOrDefault(qtype, List.of()));
    }
    boolean regional = false;
    Map<String, List<Record>> service = services.get(qname);
    if (service != null && (qtype == Type.AAAA || qtype == Type.ANY)) {
      List<Record> local = region.map(service::get).orElse(null);
      regional = region.isPresent();
      answer.addAll(local != null ? local : service.getOrDefault("", List.of()));
    }
    if (answer.isEmpty()) {
      return new Lookup(org.xbill.DNS.Rcode.NOERROR, true, List.of(), List.of(soa), regional);
    }
    return new Lookup(org.xbill.DNS.Rcode.NOERROR, true, answer, List.of(), regional);
  }

  /** The region whose prefixes hold {@code address} (16 bytes) most specifically, if any. */
  public Optional<String> regionOf(byte[] address, int prefixLength) {
    String best = null;
    int bestLength = -1;
    for (Map.Entry<String, List<Ipv6Prefix>> region : settings.regionPrefixes().entrySet()) {
      for (Ipv6Prefix prefix : region.getValue()) {
        if (prefix.length() > bestLength && prefix.covers(address, prefixLength)) {
          best = region.getKey();
          bestLength = prefix.length();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private static void put(Map<Name, Map<Integer, List<Record>>> fixed, Record record) {
    fixed.computeIfAbsent(record.getName(), n -> new HashMap<>()).computeIfAbsent(record.getType(), t -> new ArrayList<>()).add(record);
  }

  private static void addWithAncestors(Set<Name> names, Name name, Name origin) {
    for (Name n = name; n.subdomain(origin); n = new Name(n, 1)) {
      names.add(n);
      if (n.equals(origin)) {
        break;
      }
    }
  }

  private static Name absolute(String text, Name origin) {
    try {
      return Name.fromString(text, origin);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a DNS name: " + e.getMessage(), e);
    }
  }
}
