package online.hypermesh.node;

import com.typesafe.config.Config;
import online.hypermesh.actors.hypermesh.AssetService;
import online.hypermesh.node.bootstrap.NodeBootstrap;
import online.hypermesh.node.consensus.ChainService;
import online.hypermesh.node.consensus.ConsensusNode;
import online.hypermesh.node.metrics.NodeMetrics;
import online.hypermesh.node.dns.NodeDns;
import online.hypermesh.node.cluster.ClusterTransport;
import online.hypermesh.node.cluster.StoqClusterAttachment;
import online.hypermesh.node.stoq.NodeStoqHandler;
import online.hypermesh.node.stoq.StoqRouter;
import online.hypermesh.node.trustchain.NodeIdentity;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    // STOQ is bound before the ActorSystem: with the stoq cluster transport, Pekko remoting runs on
    // it and attaches while the system starts. Layer requests get "starting" until wired below.
    ClusterTransport transport = ClusterTransport.of(config);
    StoqServer stoq = null;
    StoqClusterAttachment attachment = null;
    ActorSystem<Void> system;
    NodeStoqHandler handler;
    int port;
    try {
      attachment = transport.stoq() ? StoqClusterAttachment.create(settings, tls, identity) : null;
      handler = new NodeStoqHandler(attachment);
      stoq = new StoqServer(settings, handler, tls, identity, List.of(dns.doqService()));
      port = stoq.start();
      if (attachment != null) {
        attachment.bound(port);
      }
      system = ActorSystem.create(Behaviors.empty(), "HyperMesh",
          dns.publish(transport.systemConfig(config, attachment)));
    } catch (RuntimeException e) {
      if (stoq != null) {
        stoq.close();
      }
      if (attachment != null) {
        attachment.unregister();
      }
      throw e;
    }
    StoqServer server = stoq;
    StoqClusterAttachment attached = attachment;
    try {
      var classic = Adapter.toClassic(system);
      // Stop taking requests first, so clients see a clean close rather than timeouts while the node
      // leaves (with the stoq cluster transport only at the end: the cluster leaves over it);
      // registered at once, so however the system ends from here on, the socket is released.
      CoordinatedShutdown.get(classic).addTask(transport.stoqClosePhase(), "stoq-close", () -> {
        server.close();
        if (attached != null) {
          attached.unregister();
        }
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      // Pekko creates serializers on first use; asking for ours now turns an incomplete Kryo registry
      // into a failed start instead of a failed message.
      try {
        SerializationExtension.get(classic).serializerFor(KryoMessage.class);
      } catch (java.io.NotSerializableException e) {
        throw new IllegalStateException("no serializer bound to KryoMessage: " + e.getMessage(), e);
      }
      // The identity as renewals change it (Artery's TLS provider already holds the same instance).
      NodeIdentity nodeIdentity = NodeIdentity.get(classic);
      // STOQ started before the system with the identity on disk; renewals reach it from here on.
      server.updateIdentity(nodeIdentity.current());
      if (attached != null) {
        attached.updateIdentity(nodeIdentity.current());
      }
      nodeIdentity.onChange(renewed -> {
        server.updateIdentity(renewed);
        if (attached != null) {
          attached.updateIdentity(renewed);
        }
      });
      NodeBootstrap bootstrap = new NodeBootstrap(classic, config, nodeIdentity::current);
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

      handler.wire(new StoqRouter(KryoCodec.of(new ProtocolRegistrar()), assets, trustChain, chain,
          consensus == null ? null : consensus.assets()));
      bootstrap.stoqListening("[" + settings.bindAddress().getHostAddress() + "]:" + port, List.of(StoqProtocol.ALPN, DoqService.ALPN));
      NodeMetrics.register(classic, stoq);
      trustChain.startRenewal(system, config, nodeIdentity, bootstrap);
      dns.start(system);
      log.info("node {} in region {}: STOQ on udp [{}]:{}, management on http://[{}]:{}",
          config.getString("hypermesh.node.name"), config.getString("hypermesh.node.region"),
          settings.bindAddress().getHostAddress(), port,
          config.getString("hypermesh.node.host"), config.getInt("hypermesh.management.port"));

      return new Node(system, server);
    } catch (RuntimeException e) {
      system.terminate();
      server.close();
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

  /**
   * Terminates the node and waits for it, at most the coordinated shutdown's total timeout plus 10 s:
   * a system that does not finish terminating by then (seen once in a test, a node stopped a second
   * after it joined over Artery TLS) is logged as an error instead of blocking the caller forever.
   */
  public void stop() {
    system.terminate();
    long limitMillis = CoordinatedShutdown.get(Adapter.toClassic(system)).totalTimeout().toMillis() + 10_000;
    try {
      system.getWhenTerminated().toCompletableFuture().get(limitMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.error("node {} did not terminate within {} ms of stop(); giving up waiting", system.address(), limitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.error("node {} terminated with a failure: {}", system.address(), e.getCause().toString());
    }
  }

  /** The production entry point: {@code Main --config FILE}. */
  public static Node fromFile(Path file) {
    return start(NodeConfig.load(file));
  }
}
