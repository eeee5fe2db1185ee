package online.hypermesh.protocol.stoq;

/**
 * How a client connection ended, for callers that watch it (e.g. an actor that reconnects).
 *
 * @param byPeer the server closed it (else this side did, or it timed out)
 * @param applicationClose a STOQ-level close (code from {@link StoqProtocol}) rather than a QUIC
 *     transport error
 * @param code the QUIC application or transport error code; 0 for a clean close
 * @param reason the reason phrase, may be empty
 * @param idleTimeout the connection was dropped by the QUIC idle timeout
 */
public record StoqConnectionClose(
    boolean byPeer, boolean applicationClose, int code, String reason, boolean idleTimeout) {}
