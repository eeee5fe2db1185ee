package online.hypermesh.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import online.hypermesh.protocol.stoq.StoqSettings;

/**
 * STOQ itself: StoqServer with a handler that counts the payload and answers 8 bytes (payloads of
 * at most 64 bytes are echoed, for the latency test), StoqClient connections pipelining large
 * REQUEST frames.
 */
final class StoqBench implements AutoCloseable {

  private static final byte[] SMALL_ANSWER = new byte[8];

  private final StoqSettings settings;
  private final AtomicLong received = new AtomicLong();
  private final StoqAdapter.Server server;

  /** STOQ as the node runs it: the post-quantum handshake and sealed payloads (per settings). */
  StoqBench(StoqSettings settings) {
    this(settings, true);
  }

  /** {@code authenticated = false}: the QUIC/TLS transport and framing without the STOQ handshake. */
  StoqBench(StoqSettings settings, boolean authenticated) {
    this.settings = settings;
    this.server = authenticated
        ? StoqAdapter.startServer(settings, this::handle)
        : StoqAdapter.startServerWithoutHandshake(settings, this::handle);
  }

  private CompletableFuture<byte[]> handle(ByteBuf payload) {
    int n = payload.readableBytes();
    received.addAndGet(n);
    return CompletableFuture.completedFuture(n <= 64 ? ByteBufUtil.getBytes(payload) : SMALL_ANSWER);
  }

  int activeConnections() {
    return server.activeConnections();
  }

  int port() {
    return server.port();
  }

  private List<StoqAdapter.Client> connect(int connections) throws Exception {
    List<StoqAdapter.Client> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      clients.add(StoqAdapter.connect(server.port(), settings).toCompletableFuture()
          .get(settings.handshakeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS));
    }
    return clients;
  }

  /** Each connection keeps {@code pipeline} requests of {@code payloadBytes} in flight. */
  Results.Throughput bulk(int connections, double seconds, int payloadBytes, int pipeline)
      throws Exception {
    List<StoqAdapter.Client> clients = connect(connections);
    byte[] payload = new byte[payloadBytes];
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong failures = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    try {
      for (StoqAdapter.Client c : clients) {
        for (int i = 0; i < pipeline; i++) {
          sendLoop(c, payload, stop, failures, inFlight);
        }
      }
      Bench.warmUp(received);
      long b0 = received.get();
      long t0 = System.nanoTime();
      Thread.sleep((long) (seconds * 1000));
      long bytes = received.get() - b0;
      long elapsed = System.nanoTime() - t0;
      stop.set(true);
      long deadline = System.currentTimeMillis() + 5000;
      while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      return Results.Throughput.of(connections, elapsed, bytes,
          String.format("%d KiB REQUEST frames, %d in flight per connection, one stream each%s",
              payloadBytes / 1024, pipeline,
              failures.get() == 0 ? "" : "; " + failures.get() + " requests failed"));
    } finally {
      for (StoqAdapter.Client c : clients) {
        c.close();
      }
    }
  }

  /** Sends the next request when the previous one is answered, until stop (bounded by time). */
  private static void sendLoop(StoqAdapter.Client c, byte[] payload, AtomicBoolean stop,
      AtomicLong failures, AtomicLong inFlight) {
    if (stop.get()) {
      return;
    }
    inFlight.incrementAndGet();
    c.request(payload).whenComplete((r, e) -> {
      inFlight.decrementAndGet();
      if (e != null) {
        failures.incrementAndGet();
        if (failures.get() > 1000) {
          stop.set(true);
        }
      }
      sendLoop(c, payload, stop, failures, inFlight);
    });
  }

  /** Open-loop 64-byte requests (echoed) on one connection, each on a new stream. */
  Results.Latency latency(int rate, double seconds, int payloadBytes) throws Exception {
    List<StoqAdapter.Client> clients = connect(1);
    try {
      byte[] payload = new byte[payloadBytes];
      StoqAdapter.Client c = clients.get(0);
      return OpenLoop.run("stoq", i -> c.request(payload), rate, seconds, payloadBytes, 1000);
    } finally {
      clients.get(0).close();
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
