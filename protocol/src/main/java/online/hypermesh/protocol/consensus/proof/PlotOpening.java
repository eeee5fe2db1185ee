package online.hypermesh.protocol.consensus.proof;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.trustchain.MerkleHashes;

/** One challenged plot leaf and its RFC 6962 inclusion path (leaf's sibling first). */
public record PlotOpening(byte[] leaf, List<byte[]> path) {

  /** log2 of {@link ChainParameters#MAX_PLOT_LEAVES}. */
  public static final int MAX_PATH = 32;

  public PlotOpening {
    Objects.requireNonNull(leaf, "leaf");
    Objects.requireNonNull(path, "path");
    if (leaf.length == 0 || leaf.length > ChainParameters.MAX_LEAF_BYTES) {
      throw new IllegalArgumentException(
          "leaf must be 1.." + ChainParameters.MAX_LEAF_BYTES + " bytes, not " + leaf.length);
    }
    if (path.size() > MAX_PATH) {
      throw new IllegalArgumentException("path longer than " + MAX_PATH);
    }
    List<byte[]> copy = new ArrayList<>(path.size());
    for (byte[] hash : path) {
      if (hash == null || hash.length != MerkleHashes.HASH_BYTES) {
        throw new IllegalArgumentException("path hashes must be 32 bytes");
      }
      copy.add(hash.clone());
    }
    leaf = leaf.clone();
    path = List.copyOf(copy);
  }

  @Override
  public byte[] leaf() {
    return leaf.clone();
  }

  @Override
  public List<byte[]> path() {
    List<byte[]> copy = new ArrayList<>(path.size());
    for (byte[] hash : path) {
      copy.add(hash.clone());
    }
    return copy;
  }
}
