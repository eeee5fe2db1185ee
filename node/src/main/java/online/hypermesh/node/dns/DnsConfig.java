package online.hypermesh.node.dns;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.dns.DnsSettings;
import online.hypermesh.protocol.dns.Ipv6Prefix;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code hypermesh.dns} read and checked; protocol's DNS classes read no configuration themselves. */
record DnsConfig(DnsSettings settings, int classicPort, InetAddress bind, Duration tcpIdleTimeout, Duration doqStreamTimeout,
                 String address) {

  static DnsConfig read(Config config) {
    Config dns = config.getConfig("hypermesh.dns");
    try {
      Map<String, List<Ipv6Prefix>> regions = new LinkedHashMap<>();
      Config prefixes = dns.getConfig("region-prefixes");
      for (String region : prefixes.root().keySet()) {
        List<Ipv6Prefix> list = new ArrayList<>();
        for (String prefix : prefixes.getStringList(quoted(region))) {
          list.add(Ipv6Prefix.parse(prefix));
        }
        regions.put(region, list);
      }
      DnsSettings settings = new DnsSettings(
          dns.getString("zone"),
          dns.getStringList("services"),
          dns.getDuration("ttl").toSeconds(),
          dns.getDuration("negative-ttl").toSeconds(),
          Math.toIntExact(dns.getBytes("max-udp-payload")),
          Math.toIntExact(dns.getBytes("max-query-bytes")),
          regions);
      int port = dns.getInt("classic.port");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("classic.port = " + port + " is not a port (0 = off)");
      }
      return new DnsConfig(settings, port, InetAddress.getByName(config.getString("hypermesh.node.bind")),
          dns.getDuration("classic.tcp-idle-timeout"), dns.getDuration("doq.stream-timeout"), dns.getString("address"));
    } catch (ConfigException | IllegalArgumentException | ArithmeticException | java.net.UnknownHostException e) {
      throw new NodeConfig.InvalidConfigException("invalid hypermesh.dns settings: " + e.getMessage());
    }
  }

  private static String quoted(String key) {
    return "\"" + key.replace("\"", "\\\"") + "\"";
  }
}
