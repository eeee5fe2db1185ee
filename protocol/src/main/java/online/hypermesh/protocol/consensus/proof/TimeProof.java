package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;

/**
 * PoTime: a reference to a block's tick (its tick count and tick hash in the validators'
 * sequential hash chain, see {@link Ticks}). Part of the digest, so the signature binds it and
 * the PoSpace challenge is derived from the block it names.
 */
public record TimeProof(long tickCount, byte[] tickHash) {

  public static final int HASH_BYTES = 32;

  public TimeProof {
    Objects.requireNonNull(tickHash, "tickHash");
    if (tickCount < 0) {
      throw new IllegalArgumentException("negative tick count " + tickCount);
    }
    if (tickHash.length != HASH_BYTES) {
      throw new IllegalArgumentException("tick hash must be " + HASH_BYTES + " bytes");
    }
    tickHash = tickHash.clone();
  }

  @Override
  public byte[] tickHash() {
    return tickHash.clone();
  }
}
