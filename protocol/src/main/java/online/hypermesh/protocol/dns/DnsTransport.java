package online.hypermesh.protocol.dns;

/** How a query arrived: it decides the answer's size limit (RFC 1035/6891 for UDP, 64 KiB on streams). */
public enum DnsTransport {
  UDP,
  TCP,
  QUIC;

  public boolean datagram() {
    return this == UDP;
  }
}
