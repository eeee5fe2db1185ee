package online.hypermesh.protocol.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv6 prefix such as {@code 2001:db8:1::/48}: which askers a region serves. */
public record Ipv6Prefix(byte[] network, int length) {

  public Ipv6Prefix {
    if (network.length != 16 || length < 0 || length > 128) {
      throw new IllegalArgumentException("not an IPv6 prefix");
    }
    network = mask(network.clone(), length);
  }

  /** Parses {@code ADDRESS/LENGTH}; the address must be an IPv6 literal. */
  public static Ipv6Prefix parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not ADDRESS/LENGTH");
    }
    String address = text.substring(0, slash).trim();
    if (!address.contains(":")) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 prefix");
    }
    int length;
    try {
      length = Integer.parseInt(text.substring(slash + 1).trim());
      InetAddress parsed = InetAddress.getByName(address);
      if (!(parsed instanceof Inet6Address)) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv6 prefix");
      }
      return new Ipv6Prefix(parsed.getAddress(), length);
    } catch (NumberFormatException | UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv6 prefix");
    }
  }

  /** Whether {@code address} (16 bytes) lies in this prefix. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != 16) {
      return false;
    }
    byte[] masked = mask(address.clone(), length);
    return java.util.Arrays.equals(masked, network);
  }

  /** Whether every address of a client subnet of {@code subnetLength} bits lies in this prefix. */
  public boolean covers(byte[] subnet, int subnetLength) {
    return subnetLength >= length && contains(subnet);
  }

  private static byte[] mask(byte[] address, int length) {
    for (int bit = length; bit < 128; bit++) {
      address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return address;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ipv6Prefix p && length == p.length && java.util.Arrays.equals(network, p.network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + length;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + length;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
