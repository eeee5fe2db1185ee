package online.hypermesh.node.cli;

import online.hypermesh.protocol.chain.ChainClient;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.node.local.ClusterState;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.node.local.LocalCluster;
import online.hypermesh.node.local.NodeProcesses;
import online.hypermesh.node.local.NodeSpec;
import online.hypermesh.protocol.hypermesh.AssetClient;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import online.hypermesh.protocol.trustchain.TrustChainClient;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.time.Duration;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Optional;

/** Where a client command sends its request, and how it prints the answer. */
final class NodeOptions {

  @Option(names = "--node", paramLabel = "HOST:PORT", description = "STOQ endpoint of any node, e.g. [::1]:8453. Default: node 1 of the local cluster.")
  String node;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @Option(names = "--timeout", defaultValue = "15", description = "Seconds to wait for the reply. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(names = "--identity", paramLabel = "DIR", description = "Folder with client.key, client.crt (FALCON-1024, PEM) and trustchain-root.crt, the TrustChain root the node must chain to. Default: the local cluster's .hypermesh/pki.")
  Path identityDir;

  @Option(names = "--server-name", description = "Name or address the node's certificate must carry. Default: the host of --node.")
  String serverName;

  AssetResponse send(AssetRequest request) {
    String[] hostPort = endpoint();
    StoqSettings settings = StoqSettings.defaults()
        .withTimeouts(Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(Math.min(timeoutSeconds, 10)));
    StoqIdentity identity = identity();
    String expected = serverName != null ? serverName : hostPort[0];
    try (AssetClient client = AssetClient.connect(hostPort[0], Integer.parseInt(hostPort[1]), settings, StoqTls.defaults(),
        identity, expected)) {
      return client.sendBlocking(request);
    } catch (StoqException e) {
      throw new CliException("node " + hostPort[0] + " port " + hostPort[1] + ": " + e.getMessage() + " (" + e.error() + ")",
          HyperMeshCli.EXIT_UNREACHABLE);
    }
  }

  /** As {@link #send}, for TrustChain (CA and CT log) requests. */
  TrustChainResponse sendTrustChain(TrustChainRequest request) {
    String[] hostPort = endpoint();
    StoqSettings settings = StoqSettings.defaults()
        .withTimeouts(Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(Math.min(timeoutSeconds, 10)));
    String expected = serverName != null ? serverName : hostPort[0];
    try (TrustChainClient client = TrustChainClient.connect(hostPort[0], Integer.parseInt(hostPort[1]), settings,
        StoqTls.defaults(), identity(), expected)) {
      return client.sendBlocking(request);
    } catch (StoqException e) {
      throw new CliException("node " + hostPort[0] + " port " + hostPort[1] + ": " + e.getMessage() + " (" + e.error() + ")",
          HyperMeshCli.EXIT_UNREACHABLE);
    }
  }

  /** As {@link #send}, for chain requests. */
  ChainResponse sendChain(ChainRequest request) {
    return sendChainTo(node, request);
  }

  /** As {@link #sendChain}, to another node of the same chain ({@code --server-name} is not applied). */
  ChainResponse sendChainTo(String endpoint, ChainRequest request) {
    String[] hostPort = endpoint(endpoint);
    String serverName = java.util.Objects.equals(endpoint, node) ? this.serverName : null;
    StoqSettings settings = StoqSettings.defaults()
        .withTimeouts(Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(Math.min(timeoutSeconds, 10)));
    String expected = serverName != null ? serverName : hostPort[0];
    try (ChainClient client = ChainClient.connect(hostPort[0], Integer.parseInt(hostPort[1]), settings,
        StoqTls.defaults(), identity(), expected)) {
      return client.sendBlocking(request);
    } catch (StoqException e) {
      throw new CliException("node " + hostPort[0] + " port " + hostPort[1] + ": " + e.getMessage() + " (" + e.error() + ")",
          HyperMeshCli.EXIT_UNREACHABLE);
    }
  }

  /** The --identity folder (or the local cluster's pki folder), where pinned TrustChain keys are looked for. */
  Path identityDirectory() {
    return identityDir != null ? identityDir : LocalCluster.pkiDir(DataDir.defaultDir());
  }

  /** The CLI's own identity: it signs CAES operations on its account. */
  StoqIdentity clientIdentity() {
    return identity();
  }

  private StoqIdentity identity() {
    Path dir = identityDir != null ? identityDir : LocalCluster.pkiDir(DataDir.defaultDir());
    IdentityFiles files = DevPki.clientFiles(dir);
    if (!Files.exists(files.key())) {
      throw new CliException("no client identity in " + dir + " (`hypermesh up` creates one; or pass --identity DIR)");
    }
    try {
      StoqIdentity identity = files.load(Set.of());
      // The local cluster's operator certificate is short-lived (trustchain.max-validity.user) and its
      // folder holds the TrustChain intermediate, so the CLI issues itself a fresh one when it runs out.
      if (identityDir == null && Files.exists(dir.resolve("trustchain.pass"))
          && identity.chain().get(0).getNotAfter().toInstant().isBefore(Instant.now().plus(CLIENT_MARGIN))) {
        // Same key: it is the operator's identity and CAES account.
        DevPki.openOrCreate(dir).renewClient(LocalCluster.CLI_NAME,
            new KeyPair(identity.chain().get(0).getPublicKey(), identity.falconKey()));
        identity = files.load(Set.of());
      }
      return identity;
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    } catch (IOException e) {
      throw new CliException("cannot renew the CLI certificate in " + dir + ": " + e.getMessage());
    }
  }

  private static final Duration CLIENT_MARGIN = Duration.ofMinutes(10);

  private String[] endpoint() {
    return endpoint(node);
  }

  /**
   * {@code --node HOST:PORT} as {host, port} (brackets of an IPv6 host removed); without it, the first
   * live node of the local cluster, else [::1]:8443.
   */
  static String[] endpoint(String node) {
    String value = node != null ? node : localClusterNode().orElse("[::1]:" + StoqSettings.DEFAULT_PORT);
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1 || !value.substring(colon + 1).matches("\\d{1,5}")) {
      throw new CliException("--node must be HOST:PORT, e.g. [::1]:8443; got '" + value + "'", 2);
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new String[] {host, value.substring(colon + 1)};
  }

  /** The first live node that `up` started from the default data folder. */
  private static Optional<String> localClusterNode() {
    try {
      return ClusterState.load(DataDir.defaultDir()).flatMap(state -> state.specs().stream()
          .filter(n -> NodeProcesses.isNode(n.pid())).findFirst().map(NodeSpec::stoqEndpoint));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
