package online.hypermesh.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqIdentity;
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
        s.initialMaxData(), s.initialMaxStreamData(), s.requestTimeout(), s.handshakeTimeout(),
        s.payloadProtection());
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

  /** A throw-away FALCON CA for the run, with one node and one client identity. */
  private static final class Pki {
    static final NodeLocalCa CA = NodeLocalCa.create("bench CA", Duration.ofDays(1));
    static final StoqIdentity SERVER = StoqIdentity.of(CA.issueIdentity(LeafSpec.of("bench-server", CertificateRole.NODE,
        List.of(), List.of(StoqSettings.ipv6("::1")), Duration.ofDays(1))), CA.certificate(), Set.of());
    static final StoqIdentity CLIENT = StoqIdentity.of(CA.issueIdentity(LeafSpec.of("bench-client", CertificateRole.CLIENT,
        List.of(), List.of(), Duration.ofDays(1))), CA.certificate(), Set.of());
  }

  /** STOQ as nodes run it: mutual FALCON-1024 authentication and ML-KEM-1024 keys. */
  static Server startServer(StoqSettings settings, StoqHandler handler) {
    StoqServer server = new StoqServer(settings, handler, StoqTls.defaults(), Pki.SERVER);
    int port = server.start();
    return new Server(server, port);
  }

  /** Only for the hold benchmark, whose multiplexing client does not speak the STOQ handshake. */
  @SuppressWarnings("deprecation")
  static Server startServerWithoutHandshake(StoqSettings settings, StoqHandler handler) {
    StoqServer server = new StoqServer(settings, handler, StoqTls.defaults());
    int port = server.start();
    return new Server(server, port);
  }

  /** Connects and runs the STOQ handshake as the bench client. */
  static CompletionStage<Client> connect(int port, StoqSettings settings) {
    return StoqClient.connect(new InetSocketAddress(StoqSettings.ipv6("::1"), port), settings, StoqTls.defaults(),
            Pki.CLIENT, "::1")
        .thenApply(Client::new);
  }
}
