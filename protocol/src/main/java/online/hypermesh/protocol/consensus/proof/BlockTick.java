package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;

/**
 * What a committed block records for PoTime and PoSpace: its height, its tick (count and hash in
 * the sequential hash chain), its hash (the PoSpace challenge seed) and its time.
 */
public record BlockTick(
    long height, long tickCount, byte[] tickHash, byte[] blockHash, long timestampMillis) {

  public BlockTick {
    Objects.requireNonNull(tickHash, "tickHash");
    Objects.requireNonNull(blockHash, "blockHash");
    tickHash = tickHash.clone();
    blockHash = blockHash.clone();
  }

  @Override
  public byte[] tickHash() {
    return tickHash.clone();
  }

  @Override
  public byte[] blockHash() {
    return blockHash.clone();
  }

  /** The reference a transaction puts in its {@link TimeProof}. */
  public TimeProof reference() {
    return new TimeProof(tickCount, tickHash);
  }
}
