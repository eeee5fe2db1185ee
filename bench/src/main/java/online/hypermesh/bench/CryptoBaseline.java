package online.hypermesh.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.MlKem;
import online.hypermesh.protocol.stoq.StoqIdentity;

/**
 * The raw cost of the STOQ handshake's primitives, single-threaded, in the same run as {@code
 * --hold}, so the measured handshake rate can be read against it. Each side of a handshake does:
 *
 * <ul>
 *   <li>client: ML-KEM-1024 key generation, server chain check, FALCON verify, decapsulation,
 *       FALCON sign;
 *   <li>server: client chain check, encapsulation, FALCON sign, FALCON verify.
 * </ul>
 *
 * A chain check is one FALCON verify (leaf by CA) plus X.509 validity/name/role checks.
 */
final class CryptoBaseline {

  /**
   * Operations per CPU-second of one thread; {@code *Millis} are the derived crypto CPU costs per
   * handshake of each side.
   */
  record Rates(
      double falconSignPerSecond,
      double falconVerifyPerSecond,
      double chainCheckPerSecond,
      double mlKemKeyGenPerSecond,
      double mlKemEncapsPerSecond,
      double mlKemDecapsPerSecond,
      double clientMillisPerHandshake,
      double serverMillisPerHandshake,
      double oneCoreEachHandshakesPerSecond) {}

  private CryptoBaseline() {}

  static Rates measure(StoqIdentity client, StoqIdentity server, double secondsEach) {
    byte[] message = new byte[64];
    byte[] signature = Falcon.sign(server.falconKey(), message);
    CertificateVerifier verifier = new CertificateVerifier(server.trustAnchor(), Set.of());
    MlKem.KeyPair kem = MlKem.generateKeyPair();
    MlKem.Encapsulation encapsulation = MlKem.encapsulate(kem.publicKey());
    var serverKey = server.chain().get(0).getPublicKey();

    double sign = rate(secondsEach, () -> Falcon.sign(server.falconKey(), message));
    double verify = rate(secondsEach, () -> {
      if (!Falcon.verify(serverKey, signature, message)) {
        throw new IllegalStateException("baseline signature does not verify");
      }
    });
    double chain = rate(secondsEach, () -> {
      try {
        verifier.verify(client.chain(), null, CertificateRole.CLIENT);
      } catch (Exception e) {
        throw new IllegalStateException("baseline chain refused: " + e.getMessage(), e);
      }
    });
    double keyGen = rate(secondsEach, MlKem::generateKeyPair);
    double encaps = rate(secondsEach, () -> MlKem.encapsulate(kem.publicKey()));
    double decaps = rate(secondsEach, () -> kem.decapsulate(encapsulation.ciphertext()));
    double clientMs = 1000 * (1 / keyGen + 1 / chain + 1 / verify + 1 / decaps + 1 / sign);
    double serverMs = 1000 * (1 / chain + 1 / encaps + 1 / sign + 1 / verify);
    return new Rates(r(sign), r(verify), r(chain), r(keyGen), r(encaps), r(decaps),
        Results.round(clientMs, 3), Results.round(serverMs, 3),
        r(1000 / Math.max(clientMs, serverMs)));
  }

  /**
   * Runs {@code op} for a quarter of the time to warm up, then counts it for the rest; the rate is
   * per second of this thread's CPU time, so other load on a shared machine does not lower it.
   */
  static double rate(double seconds, Runnable op) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long warm = System.nanoTime() + (long) (seconds * 0.25e9);
    while (System.nanoTime() < warm) {
      op.run();
    }
    long n = 0;
    long cpu0 = threads.getCurrentThreadCpuTime();
    long end = System.nanoTime() + (long) (seconds * 0.75e9);
    do {
      op.run();
      n++;
    } while (System.nanoTime() < end);
    return n / Math.max(1e-9, (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
  }

  private static double r(double v) {
    return Results.round(v, 1);
  }
}
