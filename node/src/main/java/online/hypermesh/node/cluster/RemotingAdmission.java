package online.hypermesh.node.cluster;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqPeer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.remote.transport.PekkoPduCodec;
import org.apache.pekko.remote.transport.PekkoPduProtobufCodec$;
import org.apache.pekko.util.ByteString;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Who may open a remoting link to this node, and what it may call itself there. The STOQ
 * handshake already proved the peer holds the key of a certificate chain that leads to our trust
 * anchor; here the chain is checked again for role node, and the Pekko address the peer claims
 * must have a host its certificate names: an IPv6 literal must be an IP subjectAltName, a DNS name
 * (e.g. a Kubernetes pod's stable name) a DNS subjectAltName, exactly (case-insensitive, no
 * wildcards; a common name alone does not do).
 * The claim travels twice: in the link's opening and, as Pekko's own handshake, in the first
 * remoting PDU (Associate, whose origin Pekko then uses); both must agree.
 */
final class RemotingAdmission {

  /** The opening payload of a remoting link: this prefix, then the claimed address. */
  static final String OPEN_PREFIX = "pekko-remoting/1 ";

  private final CertificateVerifier verifier;
  private final String systemName;
  private final String scheme;

  RemotingAdmission(CertificateVerifier verifier, String systemName, String scheme) {
    this.verifier = verifier;
    this.systemName = systemName;
    this.scheme = scheme;
  }

  static byte[] opening(Address local) {
    return (OPEN_PREFIX + local).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The address the peer may use on this link.
   *
   * @throws StoqException UNAUTHENTICATED or BAD_REQUEST with a reason fit for the peer and the log
   */
  Address admit(StoqPeer peer, String opening) {
    if (!opening.startsWith(OPEN_PREFIX)) {
      throw new StoqException(StoqError.BAD_REQUEST, "not a remoting link opening");
    }
    Address claimed;
    try {
      claimed = AddressFromURIString.parse(opening.substring(OPEN_PREFIX.length()));
    } catch (RuntimeException e) {
      throw new StoqException(StoqError.BAD_REQUEST, "the claimed Pekko address is malformed");
    }
    if (!claimed.protocol().equals(scheme) || !claimed.system().equals(systemName)
        || claimed.host().isEmpty() || claimed.port().isEmpty()) {
      throw new StoqException(StoqError.BAD_REQUEST,
          "claimed address " + claimed + " is not a " + scheme + "://" + systemName + "@host:port");
    }
    if (!peer.authenticated()) {
      throw new StoqException(StoqError.UNAUTHENTICATED, "the peer is not authenticated");
    }
    String host = bare(claimed.host().get());
    try {
      verifier.verify(peer.chain(), host, CertificateRole.NODE);
    } catch (CertificateRejectedException e) {
      throw new StoqException(StoqError.UNAUTHENTICATED,
          "certificate of " + peer.commonName() + " may not join the cluster as " + claimed + ": "
              + e.getMessage());
    }
    if (!PeerHost.isLiteral(host) && !hasDnsName(peer.chain().get(0), host)) {
      // The verifier also accepts a matching common name; a cluster address must be a DNS name
      // the certificate was issued for.
      throw new StoqException(StoqError.UNAUTHENTICATED,
          "certificate of " + peer.commonName() + " may not join the cluster as " + claimed + ": "
              + host + " is not a DNS name in its subjectAltName");
    }
    return claimed;
  }

  /** Whether {@code leaf} has {@code name} as a DNS subjectAltName (case-insensitive, no wildcards). */
  static boolean hasDnsName(X509Certificate leaf, String name) {
    Collection<List<?>> altNames;
    try {
      altNames = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (altNames == null) {
      return false;
    }
    for (List<?> altName : altNames) {
      if ((Integer) altName.get(0) == GeneralName.dNSName
          && name.equalsIgnoreCase(String.valueOf(altName.get(1)))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Null if {@code pdu} is Pekko's Associate from {@code claimed}, else why not. Pekko sends
   * Associate as the first PDU of every association.
   */
  static String checkFirstPdu(ByteString pdu, Address claimed) {
    PekkoPduCodec.PekkoPdu decoded;
    try {
      decoded = PekkoPduProtobufCodec$.MODULE$.decodePdu(pdu);
    } catch (RuntimeException e) {
      return "first remoting PDU does not decode: " + e.getMessage();
    }
    if (!(decoded instanceof PekkoPduCodec.Associate associate)) {
      return "first remoting PDU is " + decoded.getClass().getSimpleName() + ", not Associate";
    }
    Address origin = associate.info().origin();
    if (!origin.system().equals(claimed.system()) || !origin.host().equals(claimed.host())
        || !origin.port().equals(claimed.port())) {
      return "Associate from " + origin + " on a link admitted for " + claimed;
    }
    return null;
  }

  /** An address host without the brackets Pekko keeps around IPv6 literals. */
  static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
