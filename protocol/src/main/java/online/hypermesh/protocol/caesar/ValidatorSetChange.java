package online.hypermesh.protocol.caesar;

import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.consensus.bft.EpochChange;

/**
 * The new keys of a VALIDATOR_SET_CHANGE payload, which consensus fixed as an {@link EpochChange}
 * (the keys, {@code u16 count (1..1024)} and per key {@code u16 length (1..4096)} and the X.509
 * encoding, then the signatures of a quorum of the set in force).
 */
public final class ValidatorSetChange {

  public static final int MAX_KEY_BYTES = EpochChange.MAX_KEY_BYTES;

  private ValidatorSetChange() {}

  /** The keys part of the payload (what the authorizing validators sign, with the epoch). */
  public static byte[] encode(List<byte[]> keys) {
    return EpochChange.encodeKeys(keys);
  }

  /** The keys of a whole payload, or empty for anything but exactly one valid encoding. */
  public static Optional<List<byte[]>> decode(byte[] payload) {
    return EpochChange.decode(payload).map(EpochChange::keys);
  }
}
