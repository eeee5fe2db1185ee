package online.hypermesh.actors.consensus;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import online.hypermesh.protocol.consensus.bft.Digest;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Follows the receptionist listing of every other validator of an epoch and keeps the current ref
 * per index in {@code peers}, which the validator reads when it sends.
 */
final class PeerDirectory {

  private PeerDirectory() {}

  static Behavior<Receptionist.Listing> create(Digest signingChainId, int self,
      AtomicReferenceArray<ActorRef<Validator.Command>> peers) {
    return Behaviors.setup(context -> {
      Map<ServiceKey<Validator.Command>, Integer> indexByKey = new HashMap<>();
      for (int i = 0; i < peers.length(); i++) {
        if (i != self) {
          ServiceKey<Validator.Command> key = ReceptionistNetwork.key(signingChainId, i);
          indexByKey.put(key, i);
          context.getSystem().receptionist().tell(Receptionist.subscribe(key, context.getSelf()));
        }
      }
      return Behaviors.receive(Receptionist.Listing.class)
          .onMessage(Receptionist.Listing.class, listing -> {
            for (Map.Entry<ServiceKey<Validator.Command>, Integer> e : indexByKey.entrySet()) {
              if (listing.isForKey(e.getKey())) {
                Set<ActorRef<Validator.Command>> refs = listing.getServiceInstances(e.getKey());
                // Two refs only while a restarted validator's old incarnation is being removed;
                // either may be picked, and a lost message is recovered by the protocol.
                peers.set(e.getValue(), refs.isEmpty() ? null : refs.iterator().next());
              }
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
