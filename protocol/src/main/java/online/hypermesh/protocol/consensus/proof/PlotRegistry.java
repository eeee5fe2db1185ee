package online.hypermesh.protocol.consensus.proof;

import java.util.Optional;

/** The plots registered in the committed state, by account id ({@link Accounts}). */
@FunctionalInterface
public interface PlotRegistry {
  Optional<PlotCommitment> plotOf(byte[] accountId);
}
