package online.hypermesh.protocol.serialization;

/** A payload that is not a well-formed encoding of a registered message. */
public final class KryoCodecException extends IllegalArgumentException {

  public KryoCodecException(String message) {
    super(message);
  }

  public KryoCodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
