package online.hypermesh.protocol.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A verifier with a {@link VerifiedChainCache} says exactly what one without it says. */
class VerifiedChainCacheTest {

  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final NodeLocalCa CA = NodeLocalCa.create("cache test CA", Duration.ofDays(10));
  private static final NodeLocalCa OTHER = NodeLocalCa.create("cache test CA", Duration.ofDays(10));

  private static Identity issue(NodeLocalCa ca, String name, CertificateRole role,
      Instant from, Instant until) {
    return ca.issueIdentity(LeafSpec.of(name, role, List.of(name + ".mesh.test"), List.of(),
        Duration.ofDays(1)).withValidity(from, until));
  }

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    volatile Instant now = NOW;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** The result as comparable text: the accepted leaf/role/name/chain, or the refusal. */
  private static String outcome(CertificateVerifier verifier, List<X509Certificate> chain,
      String name, CertificateRole role, VerifiedChainCache cache) {
    try {
      VerifiedCertificate v = cache == null
          ? verifier.verify(chain, name, role)
          : verifier.verify(chain, name, role, cache);
      return "accepted " + v.serial() + " " + v.role() + " " + v.commonName() + " "
          + v.publicKey().equals(chain.get(0).getPublicKey()) + " " + v.chain().equals(chain);
    } catch (CertificateRejectedException e) {
      return "refused " + e.reason() + ": " + e.getMessage();
    }
  }

  private static X509Certificate tampered(X509Certificate certificate) throws Exception {
    byte[] der = certificate.getEncoded();
    der[16] ^= 1; // inside the serial number: still parses, no longer what the CA signed
    return (X509Certificate) CertificateFactory.getInstance("X.509", Pq.BC)
        .generateCertificate(new ByteArrayInputStream(der));
  }

  @Test
  void cachedAndUncachedGiveTheSameVerdictForEveryInput() throws Exception {
    Identity valid = issue(CA, "node-a", CertificateRole.NODE,
        NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)));
    Identity shortLived = issue(CA, "node-b", CertificateRole.NODE,
        NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(1)));
    Identity expired = issue(CA, "node-old", CertificateRole.NODE,
        NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofDays(1)));
    Identity future = issue(CA, "node-new", CertificateRole.NODE,
        NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3)));
    Identity client = issue(CA, "client-a", CertificateRole.CLIENT,
        NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)));
    Identity foreign = issue(OTHER, "node-a", CertificateRole.NODE,
        NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)));
    Map<String, List<X509Certificate>> chains = new LinkedHashMap<>();
    chains.put("valid", valid.chain());
    chains.put("valid leaf only", List.of(valid.leaf()));
    chains.put("short-lived", shortLived.chain());
    chains.put("expired", expired.chain());
    chains.put("not yet valid", future.chain());
    chains.put("client", client.chain());
    chains.put("wrong CA", foreign.chain());
    chains.put("wrong CA leaf only", List.of(foreign.leaf()));
    chains.put("tampered", List.of(tampered(valid.leaf()), CA.certificate()));
    chains.put("anchor alone", List.of(CA.certificate()));
    chains.put("empty", List.of());
    List<Instant> times = List.of(NOW, NOW.plus(Duration.ofHours(2)),
        NOW.plus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(2)), NOW);
    List<Set<BigInteger>> revocations = List.of(Set.of(),
        Set.of(valid.leaf().getSerialNumber()), Set.of(shortLived.leaf().getSerialNumber()),
        Set.of());
    List<String> names = new ArrayList<>();
    names.add(null);
    names.add("node-a");
    names.add("node-a.mesh.test");
    List<CertificateRole> roles = new ArrayList<>();
    roles.add(null);
    roles.add(CertificateRole.NODE);
    roles.add(CertificateRole.CLIENT);

    VerifiedChainCache cache = new VerifiedChainCache();
    MovableClock clock = new MovableClock();
    Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    CertificateVerifier verifier = new CertificateVerifier(CA.certificate(), revoked, clock);
    int accepted = 0;
    int refused = 0;
    for (Instant time : times) {
      clock.now = time;
      for (Set<BigInteger> serials : revocations) {
        revoked.clear();
        revoked.addAll(serials);
        for (Map.Entry<String, List<X509Certificate>> chain : chains.entrySet()) {
          for (String name : names) {
            for (CertificateRole role : roles) {
              String plain = outcome(verifier, chain.getValue(), name, role, null);
              // Twice: the first call may fill the cache, the second then hits it.
              for (int i = 0; i < 2; i++) {
                assertEquals(plain, outcome(verifier, chain.getValue(), name, role, cache),
                    chain.getKey() + " at " + time + " revoked " + serials + " name " + name
                        + " role " + role);
              }
              if (plain.startsWith("accepted")) {
                accepted++;
              } else {
                refused++;
              }
            }
          }
        }
      }
    }
    // Both branches were exercised, and the cache was actually used.
    assertTrue(accepted > 0 && refused > 0, accepted + " accepted, " + refused + " refused");
    assertTrue(cache.hits() > accepted, "hits " + cache.hits());
    // Only chains that were ever accepted are stored: valid, valid leaf only, short-lived,
    // client; and not-yet-valid, accepted at +2 days. (Expired is valid only at -2 days, before
    // the CA root is.)
    assertEquals(5, cache.size());
  }

  @Test
  void failuresAreNotCachedAndTheCapacityIsABound() throws Exception {
    VerifiedChainCache cache = new VerifiedChainCache(2);
    assertEquals(2, cache.capacity());
    CertificateVerifier verifier = new CertificateVerifier(CA.certificate(), Set.of(),
        Clock.fixed(NOW, ZoneOffset.UTC));
    Identity expired = issue(CA, "node-old", CertificateRole.NODE,
        NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofDays(1)));
    assertThrows(CertificateRejectedException.class,
        () -> verifier.verify(expired.chain(), null, null, cache));
    assertThrows(CertificateRejectedException.class,
        () -> verifier.verify(List.of(issue(OTHER, "x", CertificateRole.NODE,
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1))).leaf()),
            null, null, cache));
    assertEquals(0, cache.size());
    List<Identity> nodes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nodes.add(issue(CA, "node-" + i, CertificateRole.NODE,
          NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1))));
      verifier.verify(nodes.get(i).chain(), null, CertificateRole.NODE, cache);
      assertTrue(cache.size() <= 2, "size " + cache.size());
    }
    assertEquals(2, cache.size());
    long hits = cache.hits();
    verifier.verify(nodes.get(4).chain(), null, CertificateRole.NODE, cache); // most recent
    assertEquals(hits + 1, cache.hits());
    verifier.verify(nodes.get(0).chain(), null, CertificateRole.NODE, cache); // evicted
    assertEquals(hits + 1, cache.hits());
    assertEquals(2, cache.size());
    assertThrows(IllegalArgumentException.class, () -> new VerifiedChainCache(0));
  }

  @Test
  void aCachedChainIsRefusedOnceExpiredOrRevoked() throws Exception {
    VerifiedChainCache cache = new VerifiedChainCache();
    MovableClock clock = new MovableClock();
    Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    CertificateVerifier verifier = new CertificateVerifier(CA.certificate(), revoked, clock);
    Instant notAfter = NOW.plus(Duration.ofHours(1));
    Identity node = issue(CA, "node-c", CertificateRole.NODE, NOW.minus(Duration.ofHours(1)),
        notAfter);

    verifier.verify(node.chain(), null, CertificateRole.NODE, cache);
    verifier.verify(node.chain(), null, CertificateRole.NODE, cache);
    assertEquals(1, cache.size());
    assertEquals(1, cache.hits());

    clock.now = notAfter.plusSeconds(1);
    CertificateRejectedException late = assertThrows(CertificateRejectedException.class,
        () -> verifier.verify(node.chain(), null, CertificateRole.NODE, cache));
    assertEquals(CertificateRejectedException.Reason.EXPIRED, late.reason());
    assertEquals(2, cache.hits()); // refused on the cached path, not by a miss

    clock.now = NOW.minus(Duration.ofHours(2));
    assertEquals(CertificateRejectedException.Reason.NOT_YET_VALID,
        assertThrows(CertificateRejectedException.class,
            () -> verifier.verify(node.chain(), null, CertificateRole.NODE, cache)).reason());

    clock.now = NOW;
    verifier.verify(node.chain(), null, CertificateRole.NODE, cache);
    revoked.add(node.leaf().getSerialNumber());
    assertEquals(CertificateRejectedException.Reason.REVOKED,
        assertThrows(CertificateRejectedException.class,
            () -> verifier.verify(node.chain(), null, CertificateRole.NODE, cache)).reason());
    assertEquals(5, cache.hits());
    revoked.clear();
    verifier.verify(node.chain(), null, CertificateRole.NODE, cache);

    // Another anchor's verifier does not take this anchor's entry as proof.
    CertificateVerifier other = new CertificateVerifier(OTHER.certificate(), revoked, clock);
    assertEquals(CertificateRejectedException.Reason.UNTRUSTED,
        assertThrows(CertificateRejectedException.class,
            () -> other.verify(node.chain(), null, CertificateRole.NODE, cache)).reason());
  }
}
