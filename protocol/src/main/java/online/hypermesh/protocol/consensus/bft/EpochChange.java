package online.hypermesh.protocol.consensus.bft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The payload of a VALIDATOR_SET_CHANGE transaction: the next epoch's public keys, authorized by
 * signatures of at least a quorum (n - f) of the set in force. Without the quorum anyone could
 * submit a change and, once committed, halt the chain's epoch with keys of their choosing.
 *
 * <p>Encoding: the keys as {@code u16 count (1..1024)} then per key {@code u16 length (1..4096)}
 * and the X.509 bytes (the bridge's {@code caesar.ValidatorSetChange} form), followed by {@code u16
 * signature count} and per signature {@code u16 index} (strictly increasing) {@code u16 length}
 * and the bytes. Each signer signs SHA-256("HM-VALSET-1" || current signing chain id || u32 next
 * epoch || keys encoding): bound to the chain, the epoch it ends and the exact keys, so it cannot
 * be replayed in a later epoch (whose signing chain id differs) or for other keys.
 */
public record EpochChange(List<byte[]> keys, SortedMap<Integer, byte[]> signatures) {

  public static final int MAX_KEY_BYTES = 4096;
  private static final byte[] DOMAIN = "HM-VALSET-1".getBytes(StandardCharsets.US_ASCII);

  public EpochChange {
    keys = keys.stream().map(byte[]::clone).toList();
    signatures = Collections.unmodifiableSortedMap(new TreeMap<>(signatures));
  }

  /** The keys part alone, as the bridge's light client reads it. */
  public static byte[] encodeKeys(List<byte[]> keys) {
    if (keys.isEmpty() || keys.size() > Codec.MAX_VALIDATORS) {
      throw new IllegalArgumentException("validator count " + keys.size() + " out of range");
    }
    int size = 2;
    for (byte[] k : keys) {
      if (k.length == 0 || k.length > MAX_KEY_BYTES) {
        throw new IllegalArgumentException("key of " + k.length + " bytes");
      }
      size += 2 + k.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putShort((short) keys.size());
    for (byte[] k : keys) {
      out.putShort((short) k.length).put(k);
    }
    return out.array();
  }

  /** What each current validator signs to authorize {@code keys} as the next epoch's set. */
  public static byte[] signingBytes(ValidatorSet current, List<byte[]> keys) {
    return signingBytes(current.signingChainId(), current.epoch(), keys);
  }

  /**
   * The same, from what a node reports of its epoch (`chain epoch show`), for a validator's
   * operator who signs offline with the validator's key.
   */
  public static byte[] signingBytes(Digest currentSigningChainId, long currentEpoch,
      List<byte[]> keys) {
    var md = Digest.sha256();
    md.update(DOMAIN);
    md.update(currentSigningChainId.raw());
    md.update(ByteBuffer.allocate(4).putInt((int) (currentEpoch + 1)).array());
    md.update(encodeKeys(keys));
    return md.digest();
  }

  public byte[] encode() {
    byte[] k = encodeKeys(keys);
    int size = k.length + 2;
    for (byte[] s : signatures.values()) {
      size += 4 + s.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).put(k);
    out.putShort((short) signatures.size());
    for (Map.Entry<Integer, byte[]> e : signatures.entrySet()) {
      out.putShort((short) (int) e.getKey()).putShort((short) e.getValue().length)
          .put(e.getValue());
    }
    return out.array();
  }

  /** The change, or empty for anything but exactly one well-formed encoding. */
  public static Optional<EpochChange> decode(byte[] payload) {
    try {
      ByteBuffer in = ByteBuffer.wrap(payload);
      int count = in.getShort() & 0xffff;
      if (count == 0 || count > Codec.MAX_VALIDATORS) {
        return Optional.empty();
      }
      List<byte[]> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] k = chunk(in, MAX_KEY_BYTES);
        if (k == null) {
          return Optional.empty();
        }
        keys.add(k);
      }
      int sigs = in.getShort() & 0xffff;
      if (sigs > Codec.MAX_VALIDATORS) {
        return Optional.empty();
      }
      TreeMap<Integer, byte[]> signatures = new TreeMap<>();
      int previous = -1;
      for (int i = 0; i < sigs; i++) {
        int index = in.getShort() & 0xffff;
        byte[] s = chunk(in, Codec.MAX_SIGNATURE_BYTES);
        if (index <= previous || s == null) {
          return Optional.empty();
        }
        previous = index;
        signatures.put(index, s);
      }
      return in.hasRemaining() ? Optional.empty() : Optional.of(new EpochChange(keys, signatures));
    } catch (BufferUnderflowException e) {
      return Optional.empty();
    }
  }

  private static byte[] chunk(ByteBuffer in, int max) {
    int n = in.getShort() & 0xffff;
    if (n == 0 || n > max || n > in.remaining()) {
      return null;
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  /**
   * Whether this change may end {@code current}'s epoch: a usable next set (at least 2 distinct
   * keys, BFT's minimum) and signatures of at least a quorum of {@code current}, each valid.
   */
  public Verdict verify(ValidatorSet current, SignatureVerifier verifier) {
    if (keys.size() < 2) {
      return Verdict.reject("validator-set change to " + keys.size()
          + " validator(s): BFT needs at least 2");
    }
    Set<Digest> distinct = new HashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      if (!distinct.add(Digest.sha256(keys.get(i)))) {
        return Verdict.reject("validator-set change lists key " + i + " twice");
      }
    }
    if (signatures.size() < current.quorum()) {
      return Verdict.reject("validator-set change signed by " + signatures.size()
          + " validators of epoch " + current.epoch() + ", needs a quorum of "
          + current.quorum());
    }
    byte[] message = signingBytes(current, keys);
    for (Map.Entry<Integer, byte[]> e : signatures.entrySet()) {
      if (!current.contains(e.getKey())) {
        return Verdict.reject("validator-set change signer " + e.getKey()
            + " is not a validator of epoch " + current.epoch());
      }
      if (!verifier.verify(current.publicKey(e.getKey()), message, e.getValue())) {
        return Verdict.reject("validator-set change: bad signature from validator " + e.getKey()
            + " of epoch " + current.epoch());
      }
    }
    return Verdict.accept();
  }

  /** {@link #decode} then {@link #verify}: the reason a payload cannot end the epoch, if any. */
  public static Verdict verifyPayload(byte[] payload, ValidatorSet current,
      SignatureVerifier verifier) {
    Optional<EpochChange> change = decode(payload);
    if (change.isEmpty()) {
      return Verdict.reject("validator-set change payload is malformed (keys: u16 count 1.."
          + Codec.MAX_VALIDATORS + ", each u16 length 1.." + MAX_KEY_BYTES
          + "; then u16 signature count, each u16 index strictly increasing, u16 length, bytes)");
    }
    return change.get().verify(current, verifier);
  }

  /** Signs {@code keys} for the next epoch as validator {@code index} of {@code current}. */
  public static byte[] sign(ValidatorSet current, List<byte[]> keys, Signer signer) {
    return signer.sign(signingBytes(current, keys));
  }
}
