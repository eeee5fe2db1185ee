package online.hypermesh.protocol.stoq;

/**
 * A decoding failure that also says how the stream can go on, so the server can answer it with an
 * ERROR frame and decide whether to keep the stream.
 *
 * <p>{@link #streamFatal()} is true when frame boundaries are lost (bad length prefix, truncated
 * stream): nothing after this point can be parsed, so the stream must be closed. When it is false
 * the bad frame has already been skipped and the next frame can be decoded normally.
 */
public final class FrameDecodingException extends StoqException {

  private final long correlationId;
  private final boolean streamFatal;

  public FrameDecodingException(
      StoqError error, String message, long correlationId, boolean streamFatal) {
    // No stack trace: peers can trigger these at will, and where it was thrown is always the codec.
    super(error, message, false);
    this.correlationId = correlationId;
    this.streamFatal = streamFatal;
  }

  /** The correlation id of the bad frame when its header could be read, else 0. */
  public long correlationId() {
    return correlationId;
  }

  /** Whether the stream has lost framing and must be closed after reporting this error. */
  public boolean streamFatal() {
    return streamFatal;
  }
}
