package online.hypermesh.protocol.caesar;

import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.MerkleTree;
import online.hypermesh.protocol.consensus.bft.Transaction;

/**
 * What a relayer carries from a remote chain: a chain of block headers, the certificate that
 * commits the last of them, and one transaction of the first with its RFC 6962 audit path
 * ({@link MerkleTree}) at {@code index} against that header's transaction root.
 *
 * <p>Headers, not blocks: a header's id binds its transactions through the root. Several headers
 * because BFT commits a batch with the certificate of its highest block: {@code headers.get(0)}
 * holds the transaction, each next header's parent is the previous one, and {@code certificate}
 * commits the last, hence (by the hash chain) all of them. The light client checks all of this;
 * the record only refuses nulls and an empty header list.
 */
public record InclusionProof(
    List<BlockHeader> headers, CommitCertificate certificate, Transaction transaction, int index,
    List<Digest> path) {

  /** Most headers a proof may carry: a commit certificate at most this far above the block. */
  public static final int MAX_HEADERS = 16;

  public InclusionProof {
    headers = List.copyOf(headers);
    if (headers.isEmpty()) {
      throw new IllegalArgumentException("an inclusion proof needs the header of its block");
    }
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(transaction, "transaction");
    path = List.copyOf(path);
  }

  /** Builds the proof for the transaction at {@code index} of a committed block (relayer side). */
  public static InclusionProof of(Block block, CommitCertificate certificate, int index) {
    List<byte[]> leaves = MerkleTree.leaves(block.transactions());
    return new InclusionProof(List.of(block.header()), certificate,
        block.transactions().get(index), index, MerkleTree.path(leaves, index));
  }

  /**
   * The proof for the transaction at {@code index} of {@code blocks.get(0)}, through its
   * descendants {@code blocks} (parent first) to the one {@code certificate} commits.
   */
  public static InclusionProof of(
      List<Block> blocks, CommitCertificate certificate, int index) {
    Block first = blocks.get(0);
    return new InclusionProof(blocks.stream().map(Block::header).toList(), certificate,
        first.transactions().get(index), index,
        MerkleTree.path(MerkleTree.leaves(first.transactions()), index));
  }

  /** The header of the block holding the transaction. */
  public BlockHeader block() {
    return headers.get(0);
  }

  /** The header the certificate must commit. */
  public BlockHeader certified() {
    return headers.get(headers.size() - 1);
  }
}
