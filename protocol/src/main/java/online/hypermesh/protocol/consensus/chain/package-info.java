/**
 * The committed chain as application state: {@link
 * online.hypermesh.protocol.consensus.chain.Genesis} (what every validator starts from), {@link
 * online.hypermesh.protocol.consensus.chain.ChainState} (genesis plus committed blocks, applied
 * after checking each commit certificate, deterministic so any node can rebuild it from its
 * journal) and {@link online.hypermesh.protocol.consensus.chain.NKryptTransactionValidator} (the
 * four proofs as the BFT core's transaction check, against that state). Plain code: the
 * validator actor owns one ChainState and feeds it the core's commits in order.
 */
package online.hypermesh.protocol.consensus.chain;
