package online.hypermesh.protocol.hypermesh;

import online.hypermesh.protocol.LayerClient;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/**
 * The asset layer's API over one STOQ connection: what the CLI, tests and (later) client actors use.
 * Needs nothing but this module.
 */
public final class AssetClient extends LayerClient<AssetRequest, AssetResponse> {

  private AssetClient(StoqClient stoq, StoqSettings settings) {
    super(stoq, settings, AssetResponse.class, "asset");
  }

  /**
   * Connects and runs the STOQ handshake (blocking, up to the handshake timeout) as {@code identity}, accepting
   * only a server whose certificate names {@code expectedServerName}; fails with StoqException UNAUTHENTICATED,
   * HANDSHAKE_FAILED, UNAVAILABLE or TIMEOUT.
   */
  public static AssetClient connect(String host, int port, StoqSettings settings, StoqTls tls, StoqIdentity identity,
                                    String expectedServerName) {
    return new AssetClient(StoqClient.connectBlocking(host, port, settings, tls, identity, expectedServerName), settings);
  }
}
