package online.hypermesh.protocol.trustchain;

import online.hypermesh.protocol.LayerClient;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * TrustChain's API (CA and CT log) over one STOQ connection: what the CLI, tests and (later) client actors use.
 */
public final class TrustChainClient extends LayerClient<TrustChainRequest, TrustChainResponse> {

  private TrustChainClient(StoqClient stoq, StoqSettings settings) {
    super(stoq, settings, TrustChainResponse.class, "TrustChain");
  }

  /**
   * Connects and runs the STOQ handshake (blocking, up to the handshake timeout) as {@code identity}, accepting
   * only a server whose certificate names {@code expectedServerName}; fails with StoqException UNAUTHENTICATED,
   * HANDSHAKE_FAILED, UNAVAILABLE or TIMEOUT.
   */
  public static TrustChainClient connect(String host, int port, StoqSettings settings, StoqTls tls, StoqIdentity identity,
                                    String expectedServerName) {
    return new TrustChainClient(StoqClient.connectBlocking(host, port, settings, tls, identity, expectedServerName), settings);
  }
}
