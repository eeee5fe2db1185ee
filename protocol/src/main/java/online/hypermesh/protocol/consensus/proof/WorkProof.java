package online.hypermesh.protocol.consensus.proof;

/**
 * PoWork's own bytes: the hashcash nonce (excluded from the digest it extends, see {@link
 * Hashcash}). A job result's claim is in the envelope ({@link JobClaim}), bound by the digest.
 */
public record WorkProof(long nonce) {}
