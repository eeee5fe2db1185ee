package online.hypermesh.protocol.caesar;

import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.Transaction;

/**
 * What a relayer carries from a remote chain: a block, the certificate that commits it, and one of
 * its transactions with its RFC 6962 audit path ({@link MerkleTree}) at {@code index}.
 *
 * <p>bft {@link Block} has no transaction root in a header, so the root is recomputed from the
 * whole block here; once blocks carry the root, the block can shrink to its header and the same
 * check applies unchanged.
 */
public record InclusionProof(
    Block block, CommitCertificate certificate, Transaction transaction, int index,
    List<Digest> path) {

  public InclusionProof {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(transaction, "transaction");
    path = List.copyOf(path);
  }

  /** Builds the proof for the transaction at {@code index} of a committed block (relayer side). */
  public static InclusionProof of(Block block, CommitCertificate certificate, int index) {
    List<byte[]> leaves = MerkleTree.leaves(block.transactions());
    return new InclusionProof(block, certificate, block.transactions().get(index), index,
        MerkleTree.path(leaves, index));
  }
}
