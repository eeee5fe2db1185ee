package online.hypermesh.bench;

import io.netty.buffer.ByteBufUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.stoq.StoqHandler;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * The server side of {@code --hold}, run as a child JVM so its memory and CPU are measured apart
 * from the clients': a StoqServer on [::1] that echoes each request. Talks to the parent by lines:
 * it prints {@code hold-server port P} once serving, answers {@code cpu} with {@code hold-server cpu
 * nanos} and {@code stats} with {@code hold-server stats heap direct nettyDirect rss active} (heap
 * after GC), and exits on {@code quit} or
 * when stdin closes (so it never outlives the bench).
 *
 * <p>Arguments: {@code idleSeconds [key chain trustAnchor]}; without identity files the server
 * runs without the STOQ handshake (the transport-only mode).
 */
public final class HoldServer {

  static final String PREFIX = "hold-server ";

  private HoldServer() {}

  @SuppressWarnings("deprecation")
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StoqSettings settings = StoqAdapter.loopbackSettings(Duration.ofSeconds(Long.parseLong(args[0])));
    StoqHandler echo = payload -> CompletableFuture.completedFuture(ByteBufUtil.getBytes(payload));
    StoqServer server;
    if (args.length >= 4) {
      StoqIdentity identity = new IdentityFiles(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]))
          .load(Set.of());
      server = new StoqServer(settings, echo, StoqTls.defaults(), identity);
    } else {
      server = new StoqServer(settings, echo, StoqTls.defaults());
    }
    int port = server.start();
    out.println(PREFIX + "port " + port);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null && !line.equals("quit")) {
        if (line.equals("cpu")) {
          out.println(PREFIX + "cpu " + os.getProcessCpuTime());
        } else if (line.equals("stats")) {
          Results.Memory m = HoldBench.Memory.measure();
          out.println(PREFIX + "stats " + m.heapBytes() + " " + m.directBytes() + " "
              + m.nettyDirectBytes() + " " + m.rssBytes() + " " + server.activeConnections());
        }
      }
    } finally {
      server.close();
    }
    System.exit(0);
  }
}
