package online.hypermesh.protocol.consensus.proof;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where the sender says it is: an IPv6 address (16 bytes) and a region name (UTF-8, 1..{@link
 * #MAX_REGION_BYTES} bytes). Part of the digest; checked by {@link SpaceVerifier}.
 */
public record LocationClaim(byte[] address, String region) {

  public static final int ADDRESS_BYTES = 16;
  public static final int MAX_REGION_BYTES = 64;

  public LocationClaim {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(region, "region");
    if (address.length != ADDRESS_BYTES) {
      throw new IllegalArgumentException("address must be " + ADDRESS_BYTES + " bytes");
    }
    int regionBytes = region.getBytes(StandardCharsets.UTF_8).length;
    if (regionBytes == 0 || regionBytes > MAX_REGION_BYTES) {
      throw new IllegalArgumentException("region must be 1.." + MAX_REGION_BYTES + " bytes");
    }
    address = address.clone();
  }

  public static LocationClaim of(Inet6Address address, String region) {
    return new LocationClaim(address.getAddress(), region);
  }

  @Override
  public byte[] address() {
    return address.clone();
  }

  /**
   * The address as an {@link Inet6Address}, or null when the 16 bytes are an IPv4-mapped address
   * (Java turns those into IPv4, which is not a valid claim on this IPv6-only network).
   */
  public Inet6Address inet6Address() {
    try {
      return InetAddress.getByAddress(address) instanceof Inet6Address v6 ? v6 : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
