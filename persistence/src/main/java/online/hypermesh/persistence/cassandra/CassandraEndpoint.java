package online.hypermesh.persistence.cassandra;

import java.util.Objects;

/** Where a Cassandra answers CQL; kept apart from the launcher so code that only connects needs nothing else. */
public record CassandraEndpoint(String host, int port) {

  public CassandraEndpoint {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Parses {@code host:port}; the last colon splits, so a bracketed IPv6 literal like {@code [::1]:9042} works. */
  public static CassandraEndpoint parse(String hostAndPort) {
    String s = hostAndPort.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + hostAndPort + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new CassandraEndpoint(host, Integer.parseInt(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected host:port, got '" + hostAndPort + "'", e);
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
