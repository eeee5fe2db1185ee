package online.hypermesh.node.bootstrap;

import com.typesafe.config.Config;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import online.hypermesh.node.cluster.ArteryTlsProvider;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.VerifiedCertificate;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Records the node's bootstrap checks (see {@link BootstrapPhase}) from what the node has actually
 * done: the configured way to find the cluster, the trust anchor and the node's own certificate
 * checked against it, the STOQ listener and Artery TLS, and membership. The certificate and
 * membership checks are repeated every 15 seconds, so an expiring certificate or a node that lost the
 * cluster shows up without a restart.
 */
public final class NodeBootstrap {

  private static final Duration RECHECK = Duration.ofSeconds(15);
  private static final Duration LOG_RETRY = Duration.ofSeconds(10);

  private final ActorSystem system;
  private final Config config;
  /** The node's identity as it is now: renewal replaces the certificate. */
  private final Supplier<StoqIdentity> identity;
  private final Bootstrap bootstrap;

  public NodeBootstrap(ActorSystem system, Config config, StoqIdentity identity) {
    this(system, config, () -> identity);
  }

  public NodeBootstrap(ActorSystem system, Config config, Supplier<StoqIdentity> identity) {
    this.system = system;
    this.config = config;
    this.identity = identity;
    this.bootstrap = Bootstrap.get(system);
  }

  /** Phase 0 and 1 checks, and the periodic ones; call once the ActorSystem is up. */
  public void start() {
    bootstrap.record(seeds());
    bootstrap.record(trustAnchor());
    bootstrap.record(clusterTls());
    bootstrap.record(BootstrapCheck.failed(BootstrapPhase.TRUSTCHAIN, "logged",
        "node certificate not yet submitted to the transparency log"));
    bootstrap.record(BootstrapCheck.failed(BootstrapPhase.STOQ, "stoq-listener", "STOQ is not listening yet"));
    bootstrap.record(BootstrapCheck.failed(BootstrapPhase.TRUSTCHAIN, "certificate",
        "certificate renewal not started yet"));
    recheck();
    system.scheduler().scheduleWithFixedDelay(RECHECK, RECHECK, this::recheck, system.dispatcher());
    Cluster cluster = Cluster.get(system);
    // The callback can run before the cluster's read view shows the change, so it records what it knows.
    cluster.registerOnMemberUp(() -> bootstrap.record(BootstrapCheck.passed(BootstrapPhase.FEDERATION, "member-up",
        "Up in data center " + cluster.selfDataCenter())));
    cluster.registerOnMemberRemoved(() -> bootstrap.record(BootstrapCheck.failed(BootstrapPhase.FEDERATION, "member-up",
        "removed from the cluster (left or downed)")));
  }

  /** Phase 2: the STOQ listener is bound with the node's identity. */
  public void stoqListening(String endpoint, List<String> alpns) {
    bootstrap.record(BootstrapCheck.passed(BootstrapPhase.STOQ, "stoq-listener",
        "listening on udp " + endpoint + " (ALPN " + String.join(", ", alpns) + "), peers authenticated as "
            + CertificateVerifier.commonName(identity.get().chain().get(0))));
  }

  /**
   * Once this node is Up (the log is a sharded entity), submits its own certificate to the
   * transparency log through {@code log} (certificate DER to leaf index), retrying until the log
   * answers; the "logged" check follows.
   */
  public void logCertificateWhenUp(Function<byte[], CompletionStage<Long>> log) {
    Cluster.get(system).registerOnMemberUp(() -> submitCertificate(log));
  }

  private void submitCertificate(Function<byte[], CompletionStage<Long>> log) {
    byte[] der;
    try {
      der = identity.get().chain().get(0).getEncoded();
    } catch (CertificateEncodingException e) {
      certificateNotLogged("the node certificate cannot be encoded: " + e.getMessage());
      return;
    }
    log.apply(der).whenComplete((index, failure) -> {
      if (failure == null) {
        certificateLogged(index);
      } else {
        certificateNotLogged("the transparency log did not take the node certificate (" + failure.getMessage()
            + "); retrying every " + LOG_RETRY.toSeconds() + " s");
        system.scheduler().scheduleOnce(LOG_RETRY, () -> submitCertificate(log), system.dispatcher());
      }
    });
  }

  /**
   * Phase 1: the node certificate's expiry and renewal state (passes with a warning while renewal is
   * overdue, fails once the certificate has expired or cannot be renewed).
   */
  public void certificateStatus(boolean passed, String detail) {
    bootstrap.record(new BootstrapCheck(BootstrapPhase.TRUSTCHAIN, "certificate", passed, detail));
  }

  /** Phase 1: the node's certificate has a receipt from the Certificate Transparency log. */
  public void certificateLogged(long leafIndex) {
    bootstrap.record(BootstrapCheck.passed(BootstrapPhase.TRUSTCHAIN, "logged",
        "node certificate is entry " + leafIndex + " of the transparency log"));
  }

  public void certificateNotLogged(String reason) {
    bootstrap.record(BootstrapCheck.failed(BootstrapPhase.TRUSTCHAIN, "logged", reason));
  }

  private void recheck() {
    bootstrap.record(enrolled());
    bootstrap.record(memberUp());
  }

  private BootstrapCheck seeds() {
    String join = config.getString("hypermesh.cluster.join");
    if (join.equals("bootstrap")) {
      return BootstrapCheck.passed(BootstrapPhase.SEEDS, "seeds", "cluster bootstrap through discovery method "
          + config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    }
    List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    if (seeds.isEmpty()) {
      return BootstrapCheck.failed(BootstrapPhase.SEEDS, "seeds",
          "no seed nodes configured (pekko.cluster.seed-nodes or HYPERMESH_SEED_NODES) and hypermesh.cluster.join is not bootstrap");
    }
    return BootstrapCheck.passed(BootstrapPhase.SEEDS, "seeds", "static seeds " + String.join(", ", seeds));
  }

  private BootstrapCheck trustAnchor() {
    X509Certificate root = identity.get().trustAnchor();
    return BootstrapCheck.passed(BootstrapPhase.TRUSTCHAIN, "trust-anchor",
        root.getSubjectX500Principal().getName() + " (SHA-256 " + fingerprint(root) + "), valid until "
            + root.getNotAfter().toInstant());
  }

  private BootstrapCheck enrolled() {
    try {
      VerifiedCertificate verified = new CertificateVerifier(identity.get().trustAnchor(), identity.get().revoked())
          .verify(identity.get().chain(), null, CertificateRole.NODE);
      return BootstrapCheck.passed(BootstrapPhase.TRUSTCHAIN, "enrolled", "node certificate " + verified.commonName()
          + " serial " + verified.serial().toString(16) + " valid until " + verified.leaf().getNotAfter().toInstant());
    } catch (CertificateRejectedException e) {
      return BootstrapCheck.failed(BootstrapPhase.TRUSTCHAIN, "enrolled", "node certificate refused: " + e.getMessage());
    }
  }

  private BootstrapCheck clusterTls() {
    String transport = config.getString("pekko.remote.artery.transport");
    String provider = config.getString("pekko.remote.artery.ssl.ssl-engine-provider");
    if (transport.equals("tls-tcp") && provider.equals(ArteryTlsProvider.class.getName())) {
      return BootstrapCheck.passed(BootstrapPhase.STOQ, "cluster-tls",
          "Artery over mutual TLS 1.3 with a key certified by the node's FALCON certificate");
    }
    return BootstrapCheck.failed(BootstrapPhase.STOQ, "cluster-tls",
        "Artery is not authenticated with the node certificate (transport " + transport + ", provider " + provider + ")");
  }

  private BootstrapCheck memberUp() {
    Cluster cluster = Cluster.get(system);
    Member self = cluster.readView().self();
    if (self.status() == MemberStatus.up()) {
      int up = 0;
      for (Member member : cluster.state().getMembers()) {
        if (member.status() == MemberStatus.up()) {
          up++;
        }
      }
      return BootstrapCheck.passed(BootstrapPhase.FEDERATION, "member-up",
          "Up in data center " + self.dataCenter() + " with " + up + " Up member(s)");
    }
    boolean listed = false;
    for (Member member : cluster.state().getMembers()) {
      listed |= member.uniqueAddress().equals(self.uniqueAddress());
    }
    String join = config.getString("hypermesh.cluster.join");
    return BootstrapCheck.failed(BootstrapPhase.FEDERATION, "member-up", listed
        ? "cluster membership is " + self.status() + ", not Up"
        : "not a member yet: joining through " + (join.equals("bootstrap") ? "cluster bootstrap"
            : "seeds " + String.join(", ", config.getStringList("pekko.cluster.seed-nodes"))));
  }

  private static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()))
          .substring(0, 16) + "...";
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "unavailable";
    }
  }
}
