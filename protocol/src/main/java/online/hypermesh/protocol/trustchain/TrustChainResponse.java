package online.hypermesh.protocol.trustchain;

import java.util.List;
import online.hypermesh.protocol.serialization.KryoMessage;

/**
 * TrustChain's answers. Everything a client needs to check an answer itself comes with it: signed
 * tree heads for every size a proof refers to, and the log's public key (SubjectPublicKeyInfo DER),
 * which a careful client compares with a copy it already trusts.
 */
public sealed interface TrustChainResponse extends KryoMessage {

  /** The certificate (DER), the CA chain after it (intermediate, root; DER) and the log's receipt. */
  record Issued(byte[] certificateDer, List<byte[]> chainDer, LogReceipt receipt, byte[] logPublicKey)
      implements TrustChainResponse {
  }

  record Revoked(String serialHex, RevocationReason reason, long revokedAtMillis) implements TrustChainResponse {
  }

  /**
   * OCSP-like status. GOOD and REVOKED name the leaf index where the certificate is logged;
   * REVOKED also the reason and time. UNKNOWN: this CA never issued the serial.
   */
  record Status(String serialHex, CertificateState state, RevocationReason reason, long revokedAtMillis,
                long leafIndex, long notAfterMillis) implements TrustChainResponse {
  }

  enum CertificateState { GOOD, REVOKED, UNKNOWN }

  record TreeHead(SignedTreeHead head, byte[] logPublicKey) implements TrustChainResponse {
  }

  /** Inclusion of {@code entry} at {@code leafIndex} in the tree {@code head} describes. */
  record InclusionProof(long leafIndex, byte[] entry, List<byte[]> hashes, SignedTreeHead head, byte[] logPublicKey)
      implements TrustChainResponse {
  }

  record ConsistencyProof(SignedTreeHead from, SignedTreeHead to, List<byte[]> hashes, byte[] logPublicKey)
      implements TrustChainResponse {
  }

  record Entries(long start, List<byte[]> entries) implements TrustChainResponse {
  }

  record Rejected(Reason reason, String message) implements TrustChainResponse {
  }

  enum Reason {
    /** The CSR or request failed a check ({@code message} says which, e.g. the policy's reason). */
    INVALID,
    /** The caller's certificate may not do this (issuing and revoking need a client/operator certificate). */
    NOT_AUTHORIZED,
    /** No such certificate or log entry. */
    NOT_FOUND,
    /** Already revoked. */
    ALREADY_REVOKED,
    /** The log could not take the entry; nothing was issued. */
    LOG_UNAVAILABLE
  }
}
