package online.hypermesh.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqHandler;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * The only place the benchmarks touch {@link StoqServer} and {@link StoqClient}: when their
 * constructors or connect methods change (post-quantum handshake), only this class changes.
 */
final class StoqAdapter {

  private StoqAdapter() {}

  /** STOQ's production settings, bound to loopback on a free port. */
  static StoqSettings loopbackSettings() {
    return StoqSettings.defaults().withBind(StoqSettings.ipv6("::1"), 0);
  }

  /** Same, with a longer QUIC idle timeout (held connections carry no traffic for a while). */
  static StoqSettings loopbackSettings(Duration idleTimeout) {
    StoqSettings s = loopbackSettings();
    return new StoqSettings(
        s.bindAddress(), s.port(), s.maxFrameBytes(), idleTimeout, s.maxBidiStreams(),
        s.initialMaxData(), s.initialMaxStreamData(), s.requestTimeout(), s.handshakeTimeout());
  }

  /** A started server; {@link #port()} is the bound UDP port on ::1. */
  static final class Server implements AutoCloseable {
    private final StoqServer server;
    private final int port;

    private Server(StoqServer server, int port) {
      this.server = server;
      this.port = port;
    }

    int port() {
      return port;
    }

    int activeConnections() {
      return server.activeConnections();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** One STOQ client connection. */
  static final class Client implements AutoCloseable {
    private final StoqClient client;

    private Client(StoqClient client) {
      this.client = client;
    }

    /** One request on a new stream; completes on the client's event loop. */
    CompletionStage<byte[]> request(byte[] payload) {
      return client.request(payload);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  static Server startServer(StoqSettings settings, StoqHandler handler) {
    StoqServer server = new StoqServer(settings, handler, StoqTls.defaults());
    int port = server.start();
    return new Server(server, port);
  }

  /** Connects (development TLS: accepts the server's ephemeral certificate). */
  static CompletionStage<Client> connect(int port, StoqSettings settings) {
    return StoqClient.connect(
            new InetSocketAddress(StoqSettings.ipv6("::1"), port), settings, StoqTls.defaults())
        .thenApply(Client::new);
  }
}
