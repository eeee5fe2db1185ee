package online.hypermesh.protocol.trustchain;

import online.hypermesh.protocol.serialization.KryoMessage;

/**
 * Client requests to TrustChain over STOQ: the certificate authority (issue, revoke, status) and
 * the Certificate Transparency log (tree head, proofs, entries). Serials travel as hex text and
 * reasons as names, so a client's mistake reaches the node and comes back as a precise rejection.
 * A size of 0 means "the log's current size".
 */
public sealed interface TrustChainRequest extends KryoMessage {

  /**
   * Issue a certificate for a PKCS#10 request (DER) signed with the subject's FALCON-1024 key.
   *
   * @param validitySeconds requested validity; 0 for the role's maximum (24 h for nodes)
   */
  record Issue(byte[] csrDer, long validitySeconds) implements TrustChainRequest {
  }

  /**
   * A node renews its own certificate: a PKCS#10 request signed with the node's key for exactly the
   * key, name, addresses and region of {@code currentCertificateDer}, which must still be valid,
   * unrevoked and issued under this CA (see {@link RenewalPolicy}). Needs no operator role: the
   * request authorizes itself, whoever relays it.
   *
   * @param validitySeconds requested validity; 0 for the role's maximum
   */
  record Renew(byte[] csrDer, byte[] currentCertificateDer, long validitySeconds) implements TrustChainRequest {
  }

  /** @param reason an RFC 5280 reason name, see {@link RevocationReason#parse} */
  record Revoke(String serialHex, String reason) implements TrustChainRequest {
  }

  record Status(String serialHex) implements TrustChainRequest {
  }

  record GetTreeHead() implements TrustChainRequest {
  }

  record ProofByIndex(long leafIndex, long treeSize) implements TrustChainRequest {
  }

  /** Inclusion of a logged certificate (its DER), found by its leaf hash. */
  record ProofByCertificate(byte[] certificateDer, long treeSize) implements TrustChainRequest {
  }

  record Consistency(long fromSize, long toSize) implements TrustChainRequest {
  }

  /** Entries {@code start..end}, both inclusive. */
  record GetEntries(long start, long end) implements TrustChainRequest {
  }
}
