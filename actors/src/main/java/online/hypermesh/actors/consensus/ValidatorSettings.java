package online.hypermesh.actors.consensus;

import java.util.function.LongSupplier;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.SignatureVerifier;
import online.hypermesh.protocol.consensus.bft.Signer;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;

/**
 * What one validator needs to run.
 *
 * @param self this validator's index in {@code set}
 * @param snapshotEvery a snapshot after this many events, so recovery replays at most that many
 * @param clock wall-clock milliseconds for block timestamps ({@code BlockTiming})
 */
public record ValidatorSettings(
    BftConfig config,
    ValidatorSet set,
    int self,
    Signer signer,
    SignatureVerifier verifier,
    TransactionValidator transactions,
    int snapshotEvery,
    LongSupplier clock) {

  /** With the system clock. */
  public ValidatorSettings(BftConfig config, ValidatorSet set, int self, Signer signer,
      SignatureVerifier verifier, TransactionValidator transactions, int snapshotEvery) {
    this(config, set, self, signer, verifier, transactions, snapshotEvery,
        System::currentTimeMillis);
  }

  public ValidatorSettings {
    if (!set.contains(self)) {
      throw new IllegalArgumentException("validator " + self + " is not in a set of " + set.size());
    }
    if (clock == null) {
      throw new IllegalArgumentException("a clock is required");
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("snapshotEvery must be positive, was " + snapshotEvery);
    }
  }
}
