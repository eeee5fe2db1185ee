package online.hypermesh.protocol.serialization;

/**
 * A module's contribution to the Kryo registry. Ids are part of the wire and journal format:
 * once released, an id is never reused for another class.
 */
public interface KryoRegistrar {
  void register(KryoRegistry registry);
}
