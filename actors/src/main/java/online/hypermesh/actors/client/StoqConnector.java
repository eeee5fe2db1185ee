package online.hypermesh.actors.client;

import java.util.concurrent.CompletionStage;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * How {@link StoqClientActor} opens a connection: each call starts one connection attempt and
 * must not block (the stage completes when the connection is ready, or fails with a {@code
 * StoqException}). Keeping this a function means the actor does not depend on how the transport
 * authenticates (dev-mode TLS only, or the STOQ handshake with an identity).
 */
@FunctionalInterface
public interface StoqConnector {

  CompletionStage<StoqClient> connect();

  /**
   * Development mode: QUIC/TLS with any server certificate and no STOQ handshake. For a node
   * that authenticates peers, pass a lambda calling the identity-taking {@code StoqClient.connect}.
   */
  @SuppressWarnings("deprecation")
  static StoqConnector development(String host, int port, StoqSettings settings) {
    StoqTls tls = StoqTls.defaults();
    return () -> StoqClient.connect(host, port, settings, tls);
  }
}
