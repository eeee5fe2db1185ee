package online.hypermesh.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqHandler;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqLink;
import online.hypermesh.protocol.stoq.StoqLinkHandler;
import online.hypermesh.protocol.stoq.StoqLinkListener;
import online.hypermesh.protocol.stoq.StoqPeer;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * What the stoq cluster transport's links carry on loopback: one-way message rate (a sender that
 * retries when the bounded queue refuses, as Pekko's endpoint writer does) and ping-pong round
 * trips, for messages of the size of typical remoting PDUs. Run:
 * {@code java -cp "bench/target/hypermesh-bench.jar:bench/target/lib/*"
 * online.hypermesh.bench.LinkBench [seconds] [message-bytes]}.
 */
public final class LinkBench {

  private LinkBench() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    NodeLocalCa ca = NodeLocalCa.create("link bench CA", Duration.ofDays(1));
    StoqIdentity server = StoqIdentity.of(ca.issueIdentity(LeafSpec.of("node-1",
        CertificateRole.NODE, List.of(), List.of(StoqSettings.ipv6("::1")), Duration.ofDays(1))),
        ca.certificate(), Set.of());
    StoqIdentity client = StoqIdentity.of(ca.issueIdentity(LeafSpec.of("node-2",
        CertificateRole.NODE, List.of(), List.of(StoqSettings.ipv6("::1")), Duration.ofDays(1))),
        ca.certificate(), Set.of());
    StoqSettings settings = StoqSettings.defaults().withBind(StoqSettings.ipv6("::1"), 0);
    AtomicLong received = new AtomicLong();
    // Each opening names a mode: "sink" counts messages, "echo" returns them.
    StoqHandler handler = new StoqHandler() {
      @Override
      public CompletionStage<byte[]> handle(ByteBuf payload) {
        return CompletableFuture.completedFuture(new byte[0]);
      }

      @Override
      public StoqLinkHandler openLink(StoqPeer peer, ByteBuf open) {
        boolean echo = open.toString(java.nio.charset.StandardCharsets.UTF_8).equals("echo");
        return new StoqLinkHandler() {
          @Override
          public long maxQueuedBytes() {
            return 4 << 20;
          }

          @Override
          public void opened(StoqLink link) {
            link.start(new StoqLinkListener() {
              @Override
              public void onMessage(ByteBuf message) {
                if (echo) {
                  link.send(message.retainedDuplicate());
                } else {
                  received.incrementAndGet();
                }
              }

              @Override
              public void onClosed(String reason) {}
            });
          }
        };
      }
    };
    try (StoqServer stoq = new StoqServer(settings, handler, StoqTls.defaults(), server)) {
      int port = stoq.start();
      try (StoqClient c = StoqClient.connectBlocking("::1", port, settings, StoqTls.defaults(),
          client, "::1")) {
        oneWay(c, seconds, bytes, received);
        pingPong(c, seconds, bytes);
      }
    }
  }

  private static void oneWay(StoqClient client, double seconds, int bytes, AtomicLong received)
      throws Exception {
    StoqLink link = client.openLink("sink".getBytes(), 4 << 20).toCompletableFuture().get();
    byte[] message = new byte[bytes];
    long refused = 0;
    long sent = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      if (link.send(Unpooled.wrappedBuffer(message))) {
        sent++;
      } else {
        refused++;
        Thread.onSpinWait();
      }
    }
    long target = sent;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (received.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("one-way: %d messages of %d B in %.2f s = %.0f msg/s, %.1f MB/s"
            + " (send refused %d times: queue full)%n",
        received.get(), bytes, elapsed, received.get() / elapsed,
        received.get() * (double) bytes / elapsed / 1e6, refused);
    link.close("done");
  }

  private static void pingPong(StoqClient client, double seconds, int bytes) throws Exception {
    StoqLink link = client.openLink("echo".getBytes(), 4 << 20).toCompletableFuture().get();
    SynchronousQueue<Boolean> back = new SynchronousQueue<>();
    link.start(new StoqLinkListener() {
      @Override
      public void onMessage(ByteBuf message) {
        try {
          back.put(Boolean.TRUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onClosed(String reason) {}
    });
    byte[] message = new byte[bytes];
    LatencyRecorder latencies = new LatencyRecorder(1_000_000);
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      link.send(Unpooled.wrappedBuffer(message));
      back.take();
      latencies.record(System.nanoTime() - t0);
    }
    long[] sorted = latencies.sorted();
    System.out.printf("ping-pong: %d round trips of %d B: p50 %.0f us, p99 %.0f us, p99.9 %.0f us%n",
        sorted.length, bytes, LatencyRecorder.percentile(sorted, 50) / 1e3,
        LatencyRecorder.percentile(sorted, 99) / 1e3, LatencyRecorder.percentile(sorted, 99.9) / 1e3);
    link.close("done");
  }
}
