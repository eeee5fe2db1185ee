package online.hypermesh.protocol.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chains a {@link CertificateVerifier} has accepted, by the SHA-256 of their DER encodings, so
 * that the FALCON signature checks of a chain seen before (every transaction of a sender, on
 * every validator) are not redone. Pass it to {@link CertificateVerifier#verify(List, String,
 * CertificateRole, VerifiedChainCache)}.
 *
 * <p>Only what is a pure function of the chain's bytes and the trust anchor is taken from an
 * entry: the signatures, the leaf's key, role and common name. What can change is checked on
 * every use, hit or miss, by the verifier: the validity window against its clock and every
 * certificate's serial against its revocation set (read live, so nothing here needs
 * invalidating when a serial is revoked). Refused chains are never stored. A cached and an
 * uncached call therefore give the same result and the same refusal reason.
 *
 * <p>Bounded: least recently used entries are dropped beyond the capacity. Thread-safe.
 */
public final class VerifiedChainCache {

  /**
   * Far more senders than a cluster has nodes; an entry is about 2 KB (mostly the FALCON-1024
   * public key), so about 8 MB per cache when full.
   */
  public static final int DEFAULT_CAPACITY = 4096;

  /**
   * An accepted chain.
   *
   * @param anchor the trust anchor it was verified against (a hit needs the same one)
   * @param publicKey the leaf's key
   * @param role the leaf's role
   * @param commonName the leaf's common name
   * @param notBefore the latest notBefore of the chain
   * @param notAfter the earliest notAfter of the chain
   */
  record Entry(
      X509Certificate anchor,
      PublicKey publicKey,
      CertificateRole role,
      String commonName,
      Instant notBefore,
      Instant notAfter) {}

  private final int capacity;
  private final Map<String, Entry> entries;
  private final AtomicLong hits = new AtomicLong();

  public VerifiedChainCache() {
    this(DEFAULT_CAPACITY);
  }

  public VerifiedChainCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > VerifiedChainCache.this.capacity;
      }
    };
  }

  public int capacity() {
    return capacity;
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /** Lookups that found an entry (a skipped signature check, if the anchor matched). */
  public long hits() {
    return hits.get();
  }

  Entry get(String key) {
    Entry entry;
    synchronized (entries) {
      entry = entries.get(key);
    }
    if (entry != null) {
      hits.incrementAndGet();
    }
    return entry;
  }

  void put(String key, Entry entry) {
    synchronized (entries) {
      entries.put(key, entry);
    }
  }

  /** SHA-256 over each certificate's DER, each preceded by its length (no ambiguous joins). */
  static String key(List<X509Certificate> chain) throws CertificateEncodingException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (X509Certificate certificate : chain) {
      byte[] der = certificate.getEncoded();
      sha.update(ByteBuffer.allocate(4).putInt(der.length).array());
      sha.update(der);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
