package online.hypermesh.node;

import com.typesafe.config.Config;
import online.hypermesh.actors.hypermesh.AssetService;
import online.hypermesh.node.bootstrap.NodeBootstrap;
import online.hypermesh.node.consensus.ChainService;
import online.hypermesh.node.consensus.ConsensusNode;
import online.hypermesh.node.metrics.NodeMetrics;
import online.hypermesh.node.dns.NodeDns;
import online.hypermesh.node.stoq.StoqRouter;
import online.hypermesh.node.trustchain.TrustChainNode;
import online.hypermesh.persistence.JournalSchema;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.dns.DoqService;
import online.hypermesh.protocol.serialization.KryoCodec;
import online.hypermesh.protocol.serialization.KryoMessage;
import online.hypermesh.protocol.stoq.StoqProtocol;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One HyperMesh node: the ActorSystem in cluster mode, the layers' shard regions, management HTTP and STOQ. */
public final class Node {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final ActorSystem<Void> system;
  private final StoqServer stoq;

  private Node(ActorSystem<Void> system, StoqServer stoq) {
    this.system = system;
    this.stoq = stoq;
  }

  public static Node start(Config config) {
    // Everything that can be wrong in the node's own files is checked before anything starts.
    StoqSettings settings = StoqSettingsFromConfig.read(config);
    StoqTls tls = StoqSettingsFromConfig.tls(config);
    StoqIdentity identity = StoqSettingsFromConfig.identity(config);
    // The node's DNS role must be in its config when it joins: the cluster learns it from membership.
    NodeDns dns = NodeDns.prepare(config, identity);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "HyperMesh", dns.publish(config));
    try {
      var classic = Adapter.toClassic(system);
      // Pekko creates serializers on first use; asking for ours now turns an incomplete Kryo registry
      // into a failed start instead of a failed message.
      try {
        SerializationExtension.get(classic).serializerFor(KryoMessage.class);
      } catch (java.io.NotSerializableException e) {
        throw new IllegalStateException("no serializer bound to KryoMessage: " + e.getMessage(), e);
      }
      NodeBootstrap bootstrap = new NodeBootstrap(classic, config, identity);
      bootstrap.start();
      PekkoManagement.get(classic).start().toCompletableFuture().join();
      if (config.getString("hypermesh.cluster.join").equals("bootstrap")) {
        ClusterBootstrap.get(classic).start();
      }
      // Entities must not recover before their tables exist.
      JournalSchema.create(classic, config.getDuration("hypermesh.cassandra.schema-timeout"));
      AssetService assets = AssetService.start(system);
      TrustChainNode trustChain = TrustChainNode.start(system, config);
      bootstrap.logCertificateWhenUp(der -> trustChain.service().logCertificate(der));
      ConsensusNode consensus = ConsensusNode.start(system, config, identity);
      ChainService chain = consensus == null ? null : new ChainService(system, consensus);

      StoqServer stoq = new StoqServer(settings, new StoqRouter(KryoCodec.of(new ProtocolRegistrar()), assets, trustChain, chain),
          tls, identity, List.of(dns.doqService()));
      int port = stoq.start();
      // Stop taking requests first, so clients see a clean close rather than timeouts while the node
      // leaves; registered at once so a start that fails after this point (terminate runs the
      // shutdown phases) also releases the socket.
      CoordinatedShutdown.get(classic).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stoq-close", () -> {
        stoq.close();
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      bootstrap.stoqListening("[" + settings.bindAddress().getHostAddress() + "]:" + port, List.of(StoqProtocol.ALPN, DoqService.ALPN));
      NodeMetrics.register(classic, stoq);
      dns.start(system);
      log.info("node {} in region {}: STOQ on udp [{}]:{}, management on http://[{}]:{}",
          config.getString("hypermesh.node.name"), config.getString("hypermesh.node.region"),
          settings.bindAddress().getHostAddress(), port,
          config.getString("hypermesh.node.host"), config.getInt("hypermesh.management.port"));

      return new Node(system, stoq);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public StoqServer stoq() {
    return stoq;
  }

  /** Blocks until the ActorSystem has terminated (after SIGTERM, a downing decision, or {@link #stop()}). */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  public void stop() {
    system.terminate();
    awaitTermination();
  }

  /** The production entry point: {@code Main --config FILE}. */
  public static Node fromFile(Path file) {
    return start(NodeConfig.load(file));
  }
}
