package online.hypermesh.bench;

import java.net.InetAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import online.hypermesh.actors.trustchain.TrustChainService;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.trustchain.CertificateIssuer;
import online.hypermesh.protocol.trustchain.CertificateRequestSpec;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.LogSigner;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.trustchain.TrustRole;

/**
 * {@code hypermesh bench ca}: certificates issued and logged per second through the sharded CA entity (CSR check
 * with proof of possession, FALCON-1024 certificate signature, CT log append persisted in Cassandra with its
 * signed receipt, the CA's own event persisted) against the raw FALCON-1024 sign rate of the same threads in
 * the same run.
 */
final class CaBench {

  record Options(double seconds, int concurrency, int requests, String cassandra) {}

  record Report(Results.Machine machine, Map<String, Object> parameters, CtBench.Rate rawFalconSign,
                CtBench.Rate issuedAndLogged, double ratio, String note) {
    String table() {
      StringBuilder b = new StringBuilder(Tables.machine(machine));
      b.append("parameters: ").append(parameters).append("\n\n");
      b.append(String.format(Locale.ROOT, "%-26s %12s %10s %10s %10s%n", "", "ops/s", "p50 µs", "p99 µs", "failed"));
      CtBench.row(b, "raw FALCON-1024 sign", rawFalconSign);
      CtBench.row(b, "certificate issued+logged", issuedAndLogged);
      b.append(String.format(Locale.ROOT, "%nissued / raw sign (same run): %.3f; target 1,000 certificates/s%n%s%n",
          ratio, note));
      return b.toString();
    }
  }

  static Report run(Results.Machine machine, Options o) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("seconds", o.seconds());
    parameters.put("concurrency", o.concurrency());
    parameters.put("requests", o.requests());
    parameters.put("signingThreads", threads);
    parameters.put("cassandra", o.cassandra() == null ? "started by the benchmark (launcher, 1 GiB heap)" : o.cassandra());

    CertificateIssuer.Hierarchy hierarchy = CertificateIssuer.createHierarchy("Bench TrustChain",
        Duration.ofDays(30), Duration.ofDays(30));
    CtBench.Rate raw = rawSignRate(hierarchy.intermediate(), threads, o.seconds());

    // The requests are made before the clock starts: a subject's keygen and CSR signature are its own cost.
    System.err.println("bench: preparing " + o.requests() + " certificate requests ...");
    List<KeyPair> subjects = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      subjects.add(Falcon.generateKeyPair());
    }
    byte[][] csrs = new byte[o.requests()][];
    InetAddress address = InetAddress.getByName("2001:db8::10");
    java.util.stream.IntStream.range(0, o.requests()).parallel().forEach(i -> {
      String name = "n" + i + ".hypermesh.online";
      csrs[i] = SigningRequests.toDer(SigningRequests.create(subjects.get(i % subjects.size()),
          new CertificateRequestSpec(name, TrustRole.NODE, List.of(name), List.of(address), "bench")));
    });

    ExecutorService signing = Executors.newFixedThreadPool(threads);
    try (CtBench.Env env = CtBench.Env.start(o.cassandra())) {
      String id = "bench-" + UUID.randomUUID();
      CertificateIssuer issuer = CertificateIssuer.of(hierarchy.intermediate().getPrivate(),
          hierarchy.intermediateCertificate(), hierarchy.rootCertificate());
      TrustChainService service = TrustChainService.start(env.system, id, id, issuer,
          IssuancePolicy.defaults("hypermesh.online"), LogSigner.generate(), Duration.ofSeconds(30), signing);
      // Warm-up: the entities start and recover (empty) before the measurement.
      TrustChainResponse first = service.handle(new TrustChainRequest.Issue(csrs[0], 0)).toCompletableFuture()
          .get(120, TimeUnit.SECONDS);
      if (!(first instanceof TrustChainResponse.Issued)) {
        throw new IllegalStateException("the CA refused the warm-up request: " + first);
      }
      AtomicLong refused = new AtomicLong();
      CtBench.Rate issued = CtBench.closedLoop(o.concurrency(), o.seconds(), i -> {
        if (i + 1 >= csrs.length) {
          return CompletableFuture.failedFuture(new IllegalStateException("out of prepared requests"));
        }
        return service.handle(new TrustChainRequest.Issue(csrs[(int) i + 1], 0)).thenApply(response -> {
          if (!(response instanceof TrustChainResponse.Issued)) {
            refused.incrementAndGet();
            throw new IllegalStateException(String.valueOf(response));
          }
          return response;
        });
      });
      double ratio = raw.perSecond() == 0 ? 0 : CtBench.round(issued.perSecond() / raw.perSecond());
      return new Report(machine, parameters, raw, issued, ratio,
          "Per certificate: one FALCON-1024 verify (proof of possession) and two FALCON-1024 signatures "
              + "(certificate, log receipt) on " + threads + " signing threads, one CT log event and one CA event "
              + "(group-committed Cassandra writes). Two signatures per certificate cap the ratio near 0.5. "
              + (refused.get() > 0 ? refused.get() + " requests were refused. " : "")
              + (issued.failed() > 0 && issued.operations() + 1 >= csrs.length ? "Ran out of prepared requests "
              + "(raise --requests). " : ""));
    } finally {
      signing.shutdownNow();
    }
  }

  /** {@code threads} threads signing 64-byte messages with a FALCON-1024 key for {@code seconds}. */
  static CtBench.Rate rawSignRate(KeyPair keys, int threads, double seconds) throws Exception {
    AtomicLong done = new AtomicLong();
    LatencyRecorder latencies = new LatencyRecorder(4_000_000);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        byte[] message = new byte[64];
        while (System.nanoTime() < end) {
          long sent = System.nanoTime();
          Falcon.sign(keys.getPrivate(), message);
          latencies.record(System.nanoTime() - sent);
          done.incrementAndGet();
          message[0]++;
        }
      });
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] sorted = latencies.sorted();
    return new CtBench.Rate(done.get(), 0, CtBench.round(elapsed), CtBench.round(done.get() / elapsed),
        LatencyRecorder.percentile(sorted, 50) / 1000.0, LatencyRecorder.percentile(sorted, 99) / 1000.0);
  }
}
