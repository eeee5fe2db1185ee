package online.hypermesh.protocol.trustchain;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Proofs as text other tools can check: a proof is its hashes in order, each standard base64
 * (RFC 4648 section 4, with padding) of 32 bytes, joined by commas; the empty proof is the empty
 * string. The same form is used in RFC 6962 JSON APIs (get-proof-by-hash "audit_path",
 * get-sth-consistency "consistency"), so a line can be pasted into a JSON array as-is.
 */
public final class ProofEncoding {

  private ProofEncoding() {}

  public static String encode(List<byte[]> hashes) {
    StringBuilder out = new StringBuilder();
    for (byte[] hash : hashes) {
      if (hash == null || hash.length != MerkleHashes.HASH_BYTES) {
        throw new IllegalArgumentException("proof hashes must be 32 bytes");
      }
      if (!out.isEmpty()) {
        out.append(',');
      }
      out.append(base64(hash));
    }
    return out.toString();
  }

  /**
   * Parses {@link #encode}'s form strictly: no whitespace, every element 32 bytes of canonical
   * base64 (so one proof has exactly one text form).
   *
   * @throws IllegalArgumentException on anything else
   */
  public static List<byte[]> decode(String text) {
    List<byte[]> hashes = new ArrayList<>();
    if (text.isEmpty()) {
      return hashes;
    }
    for (String element : text.split(",", -1)) {
      byte[] hash;
      try {
        hash = Base64.getDecoder().decode(element);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not base64: '" + element + "'", e);
      }
      if (hash.length != MerkleHashes.HASH_BYTES || !base64(hash).equals(element)) {
        throw new IllegalArgumentException(
            "not a canonical base64 32-byte hash: '" + element + "'");
      }
      hashes.add(hash);
    }
    return hashes;
  }

  public static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
