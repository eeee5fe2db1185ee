package online.hypermesh.actors.consensus;

import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How a validator reaches the others: encoded {@link online.hypermesh.protocol.consensus.bft.Codec}
 * messages by validator index. Delivery is best effort; the protocol retransmits through timeouts
 * and block requests, and trusts only signatures, so an implementation need not authenticate.
 */
public interface ValidatorNetwork {

  void send(int validatorIndex, byte[] message);

  /** To every other validator. */
  void broadcast(byte[] message);

  /** Opened by the validator actor itself, so a network can register it or spawn helpers as children. */
  @FunctionalInterface
  interface Factory {

    ValidatorNetwork open(ActorContext<Validator.Command> context);
  }
}
