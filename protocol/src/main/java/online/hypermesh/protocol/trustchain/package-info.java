/**
 * TrustChain's pure parts: a Certificate Transparency style Merkle log (RFC 6962 / RFC 9162
 * section 2.1) with an independent proof verifier, FALCON-1024 signed tree heads and receipts,
 * and certificate issuance checks (PKCS#10 requests with proof of possession, {@link
 * online.hypermesh.protocol.trustchain.IssuancePolicy}) in front of {@link
 * online.hypermesh.protocol.crypto.NodeLocalCa}.
 *
 * <p>No actors, storage or network here: the log actor keeps a {@link
 * online.hypermesh.protocol.trustchain.MerkleLog} in memory, persists its leaf hashes and
 * rebuilds it with {@code MerkleLog.fromLeafHashes}; clients check everything with {@link
 * online.hypermesh.protocol.trustchain.MerkleProofVerifier} and {@link
 * online.hypermesh.protocol.trustchain.SignedTreeHead#verify}.
 *
 * <p>Typical flow: a subject sends a CSR ({@link
 * online.hypermesh.protocol.trustchain.SigningRequests}); the policy approves it into a {@code
 * LeafSpec}; the CA issues; the log appends the certificate's DER as a leaf and returns a {@link
 * online.hypermesh.protocol.trustchain.LogReceipt}; later the holder fetches an inclusion proof
 * against a {@link online.hypermesh.protocol.trustchain.SignedTreeHead}.
 *
 * <p>TrustChain's CA signs with {@link online.hypermesh.protocol.trustchain.CertificateIssuer} (a
 * FALCON-1024 root and intermediate); clients talk to it and to the log with {@link
 * online.hypermesh.protocol.trustchain.TrustChainRequest}/{@link
 * online.hypermesh.protocol.trustchain.TrustChainResponse} over STOQ ({@link
 * online.hypermesh.protocol.trustchain.TrustChainClient}).
 */
package online.hypermesh.protocol.trustchain;
