package online.hypermesh.actors.consensus;

import java.util.concurrent.atomic.AtomicReferenceArray;
import online.hypermesh.protocol.consensus.bft.Digest;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Validators find each other through the Pekko receptionist: one service key per chain and
 * validator index, so a listing names the index without trusting anything the peer says. Works
 * in one ActorSystem and across a cluster (the receptionist is cluster-aware); the messages are
 * {@link Validator.Deliver} records carrying Codec bytes.
 */
public final class ReceptionistNetwork implements ValidatorNetwork {

  private final int self;
  private final AtomicReferenceArray<ActorRef<Validator.Command>> peers;

  private ReceptionistNetwork(int self, AtomicReferenceArray<ActorRef<Validator.Command>> peers) {
    this.self = self;
    this.peers = peers;
  }

  public static ServiceKey<Validator.Command> key(Digest chainId, int index) {
    return ServiceKey.create(Validator.Command.class, "hm-validator-" + chainId.hex() + "-" + index);
  }

  /** Registers the opening validator under its key and follows the other validators' keys. */
  public static ValidatorNetwork.Factory factory(Digest chainId, int self, int validators) {
    return context -> {
      context.getSystem().receptionist()
          .tell(Receptionist.register(key(chainId, self), context.getSelf()));
      AtomicReferenceArray<ActorRef<Validator.Command>> peers =
          new AtomicReferenceArray<>(validators);
      context.spawn(PeerDirectory.create(chainId, self, peers), "peers");
      return new ReceptionistNetwork(self, peers);
    };
  }

  @Override
  public void send(int validatorIndex, byte[] message) {
    if (validatorIndex < 0 || validatorIndex >= peers.length() || validatorIndex == self) {
      return;
    }
    ActorRef<Validator.Command> peer = peers.get(validatorIndex);
    // Not yet (or no longer) listed: the message is lost, as on any network; timeouts recover.
    if (peer != null) {
      peer.tell(new Validator.Deliver(self, message));
    }
  }

  @Override
  public void broadcast(byte[] message) {
    for (int i = 0; i < peers.length(); i++) {
      send(i, message);
    }
  }
}
