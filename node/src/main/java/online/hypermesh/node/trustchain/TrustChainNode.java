package online.hypermesh.node.trustchain;

import com.typesafe.config.Config;
import online.hypermesh.actors.trustchain.TrustChainService;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.TrustRole;
import online.hypermesh.node.bootstrap.NodeBootstrap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * TrustChain on a node: reads {@code hypermesh.trustchain}, opens (or creates) the key material, starts the
 * CA and log entities, and says which callers may issue and revoke.
 */
public final class TrustChainNode {

  private final TrustChainService service;
  private final Set<CertificateRole> writerRoles;
  private final TrustChainKeys keys;

  private TrustChainNode(TrustChainService service, Set<CertificateRole> writerRoles, TrustChainKeys keys) {
    this.service = service;
    this.writerRoles = writerRoles;
    this.keys = keys;
  }

  /** The key material this node runs the CA and log with (root and log public key are what peers pin). */
  public TrustChainKeys keys() {
    return keys;
  }

  public TrustChainService service() {
    return service;
  }

  /** Roles whose certificates may issue and revoke (hypermesh.trustchain.writer-roles). */
  public Set<CertificateRole> writerRoles() {
    return writerRoles;
  }

  /** The key directory: hypermesh.trustchain.pki-dir, or the folder of the STOQ trust anchor. */
  public static Path keyDirectory(Config config) {
    String dir = config.getString("hypermesh.trustchain.pki-dir");
    if (!dir.isBlank()) {
      return Path.of(dir);
    }
    String anchor = config.getString("hypermesh.stoq.identity.trust-anchor-file");
    if (anchor.isBlank()) {
      throw new NodeConfig.InvalidConfigException("hypermesh.trustchain.pki-dir is empty and there is no "
          + "hypermesh.stoq.identity.trust-anchor-file to put the TrustChain keys beside");
    }
    return Path.of(anchor).toAbsolutePath().getParent();
  }

  public static TrustChainNode start(ActorSystem<?> system, Config config) {
    Config tc = config.getConfig("hypermesh.trustchain");
    TrustChainKeys keys;
    Path dir = keyDirectory(config);
    try {
      keys = TrustChainKeys.openOrCreate(dir);
    } catch (IOException | IllegalArgumentException e) {
      throw new NodeConfig.InvalidConfigException("TrustChain keys in " + dir + ": " + e.getMessage());
    }
    IssuancePolicy policy = policy(config);
    Set<CertificateRole> writers = EnumSet.noneOf(CertificateRole.class);
    for (String role : tc.getStringList("writer-roles")) {
      writers.add(CertificateRole.fromUnit(role).orElseThrow(() -> new NodeConfig.InvalidConfigException(
          "hypermesh.trustchain.writer-roles: '" + role + "' is not node or client")));
    }
    int threads = tc.getInt("signing-threads") > 0 ? tc.getInt("signing-threads") : Runtime.getRuntime().availableProcessors();
    ExecutorService signing = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "trustchain-signing");
      thread.setDaemon(true);
      return thread;
    });
    system.getWhenTerminated().thenRun(signing::shutdown);
    TrustChainService service = TrustChainService.start(system, tc.getString("ca-id"), tc.getString("log-name"),
        keys.issuer(), policy, keys.logSigner(), tc.getDuration("ask-timeout"), signing);
    return new TrustChainNode(service, Set.copyOf(writers), keys);
  }

  /**
   * Starts renewing this node's own certificate through the CA (hypermesh.node.certificate-*), reporting
   * to {@code bootstrap}. A node whose trust anchor is not this TrustChain's root cannot renew (the CA
   * would not recognise its certificate): the bootstrap check says so and nothing is started.
   */
  public void startRenewal(ActorSystem<?> system, Config config, NodeIdentity identity, NodeBootstrap bootstrap) {
    RenewalSchedule schedule = RenewalSchedule.fromConfig(config);
    if (!identity.current().trustAnchor().equals(keys.issuer().root())) {
      bootstrap.certificateStatus(false, "the STOQ trust anchor ("
          + identity.current().trustAnchor().getSubjectX500Principal().getName() + ") is not the TrustChain root in "
          + keyDirectory(config) + ": this node's certificate was not issued by TrustChain and cannot be renewed");
      return;
    }
    system.systemActorOf(CertificateRenewer.create(identity, service::handle, keys.logSigner().publicKey(), schedule,
            report -> bootstrap.certificateStatus(report.passed(), report.detail()), bootstrap::certificateLogged,
            Clock.systemUTC()),
        "certificate-renewer", Props.empty());
  }

  /** The issuance policy of hypermesh.trustchain (names, regions, maximum validity per role). */
  public static IssuancePolicy policy(Config config) {
    Config tc = config.getConfig("hypermesh.trustchain");
    Map<TrustRole, Duration> maxValidity = new EnumMap<>(TrustRole.class);
    maxValidity.put(TrustRole.NODE, tc.getDuration("max-validity.node"));
    maxValidity.put(TrustRole.VALIDATOR, tc.getDuration("max-validity.validator"));
    maxValidity.put(TrustRole.USER, tc.getDuration("max-validity.user"));
    try {
      return new IssuancePolicy(tc.getString("dns-suffix"), EnumSet.allOf(TrustRole.class), maxValidity,
          new HashSet<>(tc.getStringList("allowed-regions")), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new NodeConfig.InvalidConfigException("hypermesh.trustchain: " + e.getMessage());
    }
  }
}
