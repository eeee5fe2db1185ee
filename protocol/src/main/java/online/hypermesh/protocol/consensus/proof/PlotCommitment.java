package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;

/** A registered plot: its Merkle root and number of leaves (leaf size is a chain parameter). */
public record PlotCommitment(byte[] root, long leafCount) {

  public PlotCommitment {
    Objects.requireNonNull(root, "root");
    root = root.clone();
  }

  @Override
  public byte[] root() {
    return root.clone();
  }
}
