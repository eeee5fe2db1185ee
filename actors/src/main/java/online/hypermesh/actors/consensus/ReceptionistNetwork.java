package online.hypermesh.actors.consensus;

import java.util.concurrent.atomic.AtomicReferenceArray;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Validators find each other through the Pekko receptionist: one service key per epoch (its
 * signing chain id, the chain id in epoch 0) and validator index, so a listing names the index
 * without trusting anything the peer says, and validators of two epochs never mix. Works in one
 * ActorSystem and across a cluster (the receptionist is cluster-aware).
 */
public final class ReceptionistNetwork implements ValidatorNetwork {

  private final ActorContext<Validator.Command> context;
  private int self = -1;
  private AtomicReferenceArray<ActorRef<Validator.Command>> peers = new AtomicReferenceArray<>(0);
  private ActorRef<?> directory;

  private ReceptionistNetwork(ActorContext<Validator.Command> context) {
    this.context = context;
  }

  public static ServiceKey<Validator.Command> key(Digest signingChainId, int index) {
    return ServiceKey.create(Validator.Command.class,
        "hm-validator-" + signingChainId.hex() + "-" + index);
  }

  public static ValidatorNetwork.Factory factory() {
    return ReceptionistNetwork::new;
  }

  @Override
  public void join(ValidatorSet set, int index, boolean follow) {
    context.getSystem().receptionist()
        .tell(Receptionist.register(key(set.signingChainId(), index), context.getSelf()));
    if (!follow) {
      return;
    }
    leave();
    self = index;
    peers = new AtomicReferenceArray<>(set.size());
    directory = context.spawn(PeerDirectory.create(set.signingChainId(), index, peers),
        "peers-" + set.epoch());
  }

  @Override
  public void leave() {
    if (directory != null) {
      context.stop(directory);
      directory = null;
    }
    self = -1;
    peers = new AtomicReferenceArray<>(0);
  }

  @Override
  public void send(int validatorIndex, Validator.Deliver message) {
    if (validatorIndex < 0 || validatorIndex >= peers.length() || validatorIndex == self) {
      return;
    }
    ActorRef<Validator.Command> peer = peers.get(validatorIndex);
    // Not yet (or no longer) listed: the message is lost, as on any network; timeouts recover.
    if (peer != null) {
      peer.tell(message);
    }
  }

  @Override
  public void broadcast(Validator.Deliver message) {
    for (int i = 0; i < peers.length(); i++) {
      send(i, message);
    }
  }
}
