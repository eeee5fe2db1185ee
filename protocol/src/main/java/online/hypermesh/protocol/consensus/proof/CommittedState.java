package online.hypermesh.protocol.consensus.proof;

import java.util.Objects;

/**
 * The views of the committed state the proofs read: bonded stakes, registered plots and regions,
 * block ticks and seen transaction ids. Every validator must answer them from the same committed
 * height, or two honest validators could judge one transaction differently.
 */
public record CommittedState(
    StakeView stakes,
    PlotRegistry plots,
    RegionRegistry regions,
    TickLedger ticks,
    ReplaySet seen) {

  public CommittedState {
    Objects.requireNonNull(stakes, "stakes");
    Objects.requireNonNull(plots, "plots");
    Objects.requireNonNull(regions, "regions");
    Objects.requireNonNull(ticks, "ticks");
    Objects.requireNonNull(seen, "seen");
  }
}
