package online.hypermesh.protocol.consensus.chain;

/**
 * A block handed to {@link ChainState#apply} that does not extend the state or is not proved
 * committed. The state is unchanged; the caller's chain or certificate is wrong.
 */
public final class CommitRejectedException extends RuntimeException {

  public CommitRejectedException(String message) {
    super(message);
  }
}
