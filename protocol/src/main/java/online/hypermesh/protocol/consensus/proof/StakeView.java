package online.hypermesh.protocol.consensus.proof;

/**
 * Bonded stake in the committed state (genesis stakes until Caesar provides them), in minor
 * units, by account id ({@link Accounts}); 0 for an unknown account.
 */
@FunctionalInterface
public interface StakeView {
  long bondedStake(byte[] accountId);
}
