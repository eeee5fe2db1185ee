package online.hypermesh.actors.consensus;

import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How a validator reaches the others of its epoch: {@link Validator.Deliver} records by validator
 * index in the epoch's set. Delivery is best effort; the protocol retransmits through timeouts
 * and block requests, and trusts only signatures, so an implementation need not authenticate.
 */
public interface ValidatorNetwork {

  void send(int validatorIndex, Validator.Deliver message);

  /** To every other validator of the epoch. */
  void broadcast(Validator.Deliver message);

  /**
   * Makes this validator reachable as {@code index} of {@code set}'s epoch and, when {@code
   * follow}, addresses sends to that epoch's validators from now on. A past epoch is joined
   * without following, so validators still in it can reach this one for its ending.
   */
  void join(ValidatorSet set, int index, boolean follow);

  /** Stops sending (a retired validator): it stays reachable where it joined. */
  void leave();

  /** Opened by the validator actor itself, so a network can register it or spawn helpers as children. */
  @FunctionalInterface
  interface Factory {

    ValidatorNetwork open(ActorContext<Validator.Command> context);
  }
}
