package online.hypermesh.protocol.dns;

import java.net.Inet6Address;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One node as the zone publishes it: {@code name.zone} AAAA {@code address}, and a TLSA record
 * {@code _port._udp.name.zone} binding the name to the SHA-256 of its certificate's public key.
 *
 * @param name the node's label, e.g. {@code node-1}
 * @param spkiSha256 SHA-256 of the DER SubjectPublicKeyInfo of the node certificate (TLSA 3 1 1):
 *     the key, not the whole certificate, so the record survives the certificate's renewal
 */
public record DnsNode(String name, Inet6Address address, int stoqPort, String region, byte[] spkiSha256) {

  public DnsNode {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(region, "region");
    if (name == null || !name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("node name '" + name + "' is not a DNS label (a-z, 0-9, '-')");
    }
    if (stoqPort < 1 || stoqPort > 65_535) {
      throw new IllegalArgumentException("STOQ port " + stoqPort + " is not a port");
    }
    if (spkiSha256 == null || spkiSha256.length != 32) {
      throw new IllegalArgumentException("spkiSha256 must be 32 bytes");
    }
    spkiSha256 = spkiSha256.clone();
  }

  @Override
  public byte[] spkiSha256() {
    return spkiSha256.clone();
  }

  /** SHA-256 of the certificate's SubjectPublicKeyInfo, as a TLSA record with selector 1 matching type 1 carries it. */
  public static byte[] spkiSha256(X509Certificate certificate) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DnsNode n && name.equals(n.name) && address.equals(n.address) && stoqPort == n.stoqPort
        && region.equals(n.region) && java.util.Arrays.equals(spkiSha256, n.spkiSha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, address, stoqPort, region, java.util.Arrays.hashCode(spkiSha256));
  }

  @Override
  public String toString() {
    return "DnsNode[" + name + " [" + address.getHostAddress() + "]:" + stoqPort + " " + region + " spki "
        + HexFormat.of().formatHex(spkiSha256) + "]";
  }
}
