package online.hypermesh.protocol.caesar;

import java.nio.charset.StandardCharsets;
import online.hypermesh.protocol.consensus.bft.Digest;

/**
 * A lock or burn proven committed on a remote chain. {@code lockId} names it for replay
 * protection: SHA-256("HM-CAES-BRIDGE-1" || source chain id || remote transaction id); the remote
 * chain commits a transaction id once (its replay set), so each lock has one id.
 */
public record RemoteTransfer(
    Digest lockId, Digest sourceChain, Direction direction, Digest destinationChain,
    Digest recipient, long amount) {

  /** LOCK: native units locked there, minted here. BURN: units that left here, released here. */
  public enum Direction { LOCK, BURN }

  private static final byte[] DOMAIN = "HM-CAES-BRIDGE-1".getBytes(StandardCharsets.US_ASCII);

  public static Digest lockId(Digest sourceChain, Digest transactionId) {
    return Digest.sha256(DOMAIN, sourceChain.bytes(), transactionId.bytes());
  }
}
