package online.hypermesh.protocol.serialization;

/**
 * Marker for every message and event that crosses a wire or lands in the journal.
 * Pekko binds it to {@link KryoSerializer} (see the serialization-bindings in reference.conf),
 * so forgetting the marker fails loudly instead of falling back to Java serialization.
 */
public interface KryoMessage {
}
