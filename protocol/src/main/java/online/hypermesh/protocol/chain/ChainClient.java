package online.hypermesh.protocol.chain;

import online.hypermesh.protocol.LayerClient;
import online.hypermesh.protocol.stoq.StoqClient;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

/** The chain's API (head, blocks, transaction status, validators, submit) over one STOQ connection. */
public final class ChainClient extends LayerClient<ChainRequest, ChainResponse> {

  private ChainClient(StoqClient stoq, StoqSettings settings) {
    super(stoq, settings, ChainResponse.class, "chain");
  }

  /** As {@link online.hypermesh.protocol.trustchain.TrustChainClient#connect}. */
  public static ChainClient connect(String host, int port, StoqSettings settings, StoqTls tls,
      StoqIdentity identity, String expectedServerName) {
    return new ChainClient(
        StoqClient.connectBlocking(host, port, settings, tls, identity, expectedServerName), settings);
  }
}
