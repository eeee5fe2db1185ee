package online.hypermesh.protocol.consensus.proof;

import java.util.Optional;

/** The committed chain's ticks, as PoTime reads them. */
public interface TickLedger {

  /** The highest committed block, empty before genesis. */
  Optional<BlockTick> head();

  /** The committed block that recorded tick {@code tickCount}, if any. */
  Optional<BlockTick> atTick(long tickCount);
}
