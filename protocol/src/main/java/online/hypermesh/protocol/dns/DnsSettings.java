package online.hypermesh.protocol.dns;

import java.util.List;
import java.util.Map;

/**
 * How the zone answers; the node fills it from {@code hypermesh.dns} (protocol reads no configuration).
 *
 * @param zone the apex, e.g. {@code hypermesh.online}
 * @param services labels under the apex that answer with every healthy node (trust, stoq, ...)
 * @param ttlSeconds TTL of AAAA/TLSA/NS answers; short, because membership changes them
 * @param negativeTtlSeconds SOA minimum: how long resolvers may cache NXDOMAIN/NODATA
 * @param maxUdpPayload the largest UDP answer we send to an EDNS client (RFC 9715 suggests 1232)
 * @param maxQueryBytes longer queries are refused with FORMERR unread
 * @param regionPrefixes per region, the IPv6 prefixes of its askers (GeoDNS)
 */
public record DnsSettings(String zone, List<String> services, long ttlSeconds, long negativeTtlSeconds,
                          int maxUdpPayload, int maxQueryBytes, Map<String, List<Ipv6Prefix>> regionPrefixes) {

  public static final List<String> DEFAULT_SERVICES = List.of("trust", "stoq", "catalog", "caesar", "ngauge");

  public DnsSettings {
    services = List.copyOf(services);
    regionPrefixes = Map.copyOf(regionPrefixes);
    if (ttlSeconds < 0 || ttlSeconds > Integer.MAX_VALUE || negativeTtlSeconds < 0 || negativeTtlSeconds > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("TTLs must be between 0 and 2^31-1 seconds");
    }
    if (maxUdpPayload < 512 || maxUdpPayload > 65_535) {
      throw new IllegalArgumentException("max-udp-payload must be between 512 and 65535 bytes");
    }
    if (maxQueryBytes < 512 || maxQueryBytes > 65_535) {
      throw new IllegalArgumentException("max-query-bytes must be between 512 and 65535 bytes");
    }
  }

  public static DnsSettings defaults() {
    return new DnsSettings("hypermesh.online", DEFAULT_SERVICES, 30, 60, 1232, 4096, Map.of());
  }

  public DnsSettings withRegionPrefixes(Map<String, List<Ipv6Prefix>> prefixes) {
    return new DnsSettings(zone, services, ttlSeconds, negativeTtlSeconds, maxUdpPayload, maxQueryBytes, prefixes);
  }
}
