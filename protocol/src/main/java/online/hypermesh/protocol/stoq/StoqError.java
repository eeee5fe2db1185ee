package online.hypermesh.protocol.stoq;

import java.util.Optional;

/**
 * Error codes carried in STOQ {@link FrameType#ERROR} frames.
 *
 * <p>The numeric codes are wire format: they never change meaning and are never reused. Code 0 is
 * reserved (never sent) so that an all-zero buffer can never decode as a valid error. The ranges
 * group codes by who is at fault, so a peer that meets a code it does not know can still tell
 * roughly what happened: 0x01xx framing (the peer's bytes), 0x02xx the request (the caller),
 * 0x03xx the serving side.
 */
public enum StoqError {
  /** Bytes that do not form a frame: too short, truncated by the end of the stream, bad flags. */
  MALFORMED_FRAME(0x0101),
  /** A length prefix above the configured maximum frame size. */
  FRAME_TOO_LARGE(0x0102),
  /** A frame whose version byte this implementation does not speak. */
  UNSUPPORTED_VERSION(0x0103),
  /** A frame type this implementation does not know (or that is not allowed in this direction). */
  UNKNOWN_FRAME_TYPE(0x0104),
  /**
   * A sealed payload (AES-256-GCM after the STOQ handshake) did not open: tampered, replayed,
   * moved to another stream, reordered, or sealed with another key. The stream is closed.
   */
  SEAL_FAILED(0x0105),

  /** The handler does not know the request type named inside the payload. */
  UNKNOWN_REQUEST_TYPE(0x0201),
  /** The handler understood the request type but rejects its content. */
  BAD_REQUEST(0x0202),
  /**
   * The peer is not (yet) authenticated: a request before the STOQ handshake finished, a
   * certificate the verifier refused (the message says why: untrusted, expired, revoked, wrong
   * name, wrong role), or a handshake signature that does not verify.
   */
  UNAUTHENTICATED(0x0203),
  /**
   * The STOQ handshake broke off for a reason other than authentication: a handshake message out
   * of order, a handshake stream that ended early, a timeout, or a peer without STOQ identity.
   */
  HANDSHAKE_FAILED(0x0204),
  /**
   * The server takes no streamed uploads or downloads (its handler offers none), or the transfer
   * broke the streaming rules (a second transfer on one stream, frames after STREAM_END, a
   * request on a download's stream).
   */
  STREAM_REFUSED(0x0205),
  /** The client abandoned the request or transfer (a CANCEL frame); the acknowledgement. */
  CANCELLED(0x0206),

  /** No answer within the request timeout. */
  TIMEOUT(0x0301),
  /** The connection, stream or service is gone or not ready; retrying later may work. */
  UNAVAILABLE(0x0302),
  /** A bug or unexpected failure on the serving side; details are only in its log. */
  INTERNAL(0x0303);

  private static final StoqError[] VALUES = values();

  private final int code;

  StoqError(int code) {
    this.code = code;
  }

  /** The stable u16 wire code. */
  public int code() {
    return code;
  }

  /** The error for a wire code, or empty for a code this version does not know. */
  public static Optional<StoqError> fromCode(int code) {
    for (StoqError error : VALUES) {
      if (error.code == code) {
        return Optional.of(error);
      }
    }
    return Optional.empty();
  }
}
