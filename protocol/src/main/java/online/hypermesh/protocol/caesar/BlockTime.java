package online.hypermesh.protocol.caesar;

/**
 * Where the chain is when an operation applies: the committed block's height and its time in
 * milliseconds since the epoch. Every validator applies a block with the same values, which is what
 * makes lazily computed demurrage identical on every node.
 */
public record BlockTime(long height, long millis) {

  public BlockTime {
    if (height < 0 || millis < 0) {
      throw new IllegalArgumentException("block height and time must be >= 0, not " + height
          + " / " + millis);
    }
  }

  /** Whether this is not before {@code other} in both height and time. */
  public boolean notBefore(BlockTime other) {
    return height >= other.height && millis >= other.millis;
  }
}
