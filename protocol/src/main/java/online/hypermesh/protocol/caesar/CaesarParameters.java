package online.hypermesh.protocol.caesar;

/**
 * The token's chain parameters (the same on every validator: genesis or committed changes, never a
 * node's local configuration). Amounts are in minor units.
 *
 * @param demurrageRatePpb the fraction of a balance that decays in one year, in parts per billion
 *     (5% a year is 50,000,000), 0..{@link Demurrage#MAX_RATE_PPB}
 * @param demurrageExemptUnits the first units of every liquid balance that never decay (the single
 *     tier below the rate; 0 for none)
 * @param unbondingBlocks blocks between an unbond and the release of the stake, >= 0
 * @param blockReward paid from the reward pool per committed block, shared by the validators
 * @param jobReward paid from the reward pool to a compute provider per completed job
 */
public record CaesarParameters(
    long demurrageRatePpb,
    long demurrageExemptUnits,
    long unbondingBlocks,
    long blockReward,
    long jobReward) {

  public CaesarParameters {
    if (demurrageRatePpb < 0 || demurrageRatePpb > Demurrage.MAX_RATE_PPB) {
      throw new IllegalArgumentException("demurrageRatePpb must be within 0.."
          + Demurrage.MAX_RATE_PPB + ", not " + demurrageRatePpb);
    }
    if (demurrageExemptUnits < 0) {
      throw new IllegalArgumentException(
          "demurrageExemptUnits must be >= 0, not " + demurrageExemptUnits);
    }
    if (unbondingBlocks < 0) {
      throw new IllegalArgumentException("unbondingBlocks must be >= 0, not " + unbondingBlocks);
    }
    if (blockReward < 0 || jobReward < 0) {
      throw new IllegalArgumentException("rewards must be >= 0, not " + blockReward + " / "
          + jobReward);
    }
  }
}
