package online.hypermesh.node.consensus;

import com.typesafe.config.Config;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import online.hypermesh.actors.consensus.ChainKeeper;
import online.hypermesh.actors.consensus.CommitListener;
import online.hypermesh.actors.consensus.ConsensusConfig;
import online.hypermesh.actors.consensus.ReceptionistNetwork;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.actors.consensus.ValidatorSettings;
import online.hypermesh.actors.hypermesh.AssetApplier;
import online.hypermesh.actors.hypermesh.AssetEntity;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.chain.AppliedTransaction;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.NKryptTransactionValidator;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.LocationClaim;
import online.hypermesh.protocol.consensus.proof.Plot;
import online.hypermesh.protocol.consensus.proof.PlotCommitment;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.hypermesh.AssetRules;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consensus on a node ({@code hypermesh.consensus}): reads the genesis, starts the node's chain
 * keeper and, when the genesis lists this node's key, its validator.
 *
 * <p>Start order matters for exactly-once application: the keeper recovers from its journal
 * first; then the validator's journal (every block it ever committed) is replayed into the keeper,
 * which ignores what it already has, so a crash between the validator's and the keeper's write
 * loses nothing; only then does the validator start and tell new commits.
 *
 * <p>The keeper hands each applied transaction to the layers: ASSET_REGISTRATION through {@link
 * AssetRules} to the asset entities ({@link AssetApplier}); {@link ChainAssets} serves
 * registrations through the chain.
 */
public final class ConsensusNode {

  private static final Logger log = LoggerFactory.getLogger(ConsensusNode.class);
  private static final HexFormat HEX = HexFormat.of();

  private final Genesis genesis;
  private final int self;
  private final ChainState state;
  private final ActorRef<ChainKeeper.Command> keeper;
  private final ActorRef<Validator.Command> validator;
  private final ChainSubmitter submitter;
  private final Duration askTimeout;
  private final List<String> submitRoles;
  private final ConsensusMetrics metrics;
  private final ChainAssets assets;
  /** This validator's key (null on a node that is not a genesis validator). */
  private final byte[] ownKey;

  private ConsensusNode(Genesis genesis, int self, ChainState state,
      ActorRef<ChainKeeper.Command> keeper, ActorRef<Validator.Command> validator,
      ChainSubmitter submitter, Duration askTimeout, List<String> submitRoles,
      ConsensusMetrics metrics, ChainAssets assets) {
    this.genesis = genesis;
    this.self = self;
    this.state = state;
    this.keeper = keeper;
    this.validator = validator;
    this.submitter = submitter;
    this.askTimeout = askTimeout;
    this.submitRoles = submitRoles;
    this.metrics = metrics;
    this.assets = assets;
    this.ownKey = self < 0 ? null : genesis.publicKeys().get(self);
  }

  /** Null when hypermesh.consensus.enabled is off. Throws InvalidConfigException on a bad genesis. */
  public static ConsensusNode start(ActorSystem<?> system, Config config, StoqIdentity identity) {
    Config c = config.getConfig("hypermesh.consensus");
    if (!c.getBoolean("enabled")) {
      return null;
    }
    String file = c.getString("genesis");
    if (file.isBlank()) {
      throw new NodeConfig.InvalidConfigException(
          "hypermesh.consensus.enabled is on but hypermesh.consensus.genesis names no file");
    }
    Path path = Path.of(file);
    GenesisFile genesisFile = GenesisFile.read(path);
    Genesis genesis = genesisFile.genesis(path);
    if (genesis.validators().size() < 2) {
      // Caught here, not by the validator's recovery: that failure stops only the validator actor
      // and leaves a node that answers but never commits.
      throw new NodeConfig.InvalidConfigException("genesis file " + path + " lists "
          + genesis.validators().size() + " validator; the BFT consensus needs at least 2 "
          + "(4 to tolerate one faulty)");
    }
    String name = config.getString("hypermesh.node.name");
    int self = selfIndex(genesis, name, identity, path);

    ChainState state = ChainState.genesis(genesis);
    ConsensusMetrics metrics = ConsensusMetrics.register(system);
    ChainKeeper.GapFiller refill = self < 0 ? null
        : (from, to) -> validatorBlocks(system, Validator.persistenceId(genesis.chainId(), self), from)
            .thenAccept(blocks -> blocks.forEach(to::tell))
            .exceptionally(e -> {
              log.warn("consensus: reading the validator journal failed: {}", e.toString());
              return null;
            });
    // Before the keeper: its recovery already applies the journal's blocks to the layers.
    AssetRules assetRules = new AssetRules(c.getInt("retained-rejections"));
    ChainKeeper.Settings keeperSettings = new ChainKeeper.Settings(name, self, genesis, state,
        c.getInt("retained-blocks"), c.getInt("retained-rejections"), c.getInt("latency-window"),
        metrics, refill, assetApplier(system, assetRules),
        self < 0 ? null : new FalconSigner(identity.falconKey()),
        c.getInt("retained-bridge-proofs"));
    ActorRef<ChainKeeper.Command> keeper = system.systemActorOf(
        Behaviors.supervise(ChainKeeper.create(keeperSettings))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1),
                Duration.ofSeconds(10), 0.2)),
        "chain-keeper", Props.empty());
    Duration askTimeout = c.getDuration("ask-timeout");
    List<String> submitRoles = c.getStringList("submit-roles");
    if (self < 0) {
      log.info("consensus: {} is not a validator of chain {}; chain requests are refused here",
          name, genesis.chainId().hex());
      return new ConsensusNode(genesis, self, state, keeper, null, null, askTimeout, submitRoles,
          metrics, new ChainAssets(system, genesis, state, assetRules, null,
              config.getDuration("hypermesh.assets.commit-timeout"), askTimeout));
    }

    PlotCommitment registered = genesis.plots().get(accountHex(identity));
    if (registered == null) {
      throw new NodeConfig.InvalidConfigException("genesis file " + path + ": validator " + name
          + " has no registered plot for its account " + accountHex(identity));
    }
    Plot plot = Plot.generate(Accounts.id(identity.chain().get(0).getPublicKey()),
        registered.leafCount(), genesis.parameters().plotLeafBytes());
    if (!Arrays.equals(plot.root(), registered.root())) {
      throw new NodeConfig.InvalidConfigException("genesis file " + path + ": the plot root of "
          + name + " is not the one derived from its key");
    }

    catchUp(system, keeper, Validator.persistenceId(genesis.chainId(), self),
        config.getDuration("hypermesh.cassandra.schema-timeout"));

    TransactionValidator proofs = new NKryptTransactionValidator(state,
        new CertificateVerifier(identity.trustAnchor(), identity.revoked()), null,
        Clock.systemUTC());
    // The keeper applies commits on its own thread; the state has one monitor for both.
    TransactionValidator locked = (tx, context) -> {
      synchronized (state) {
        return proofs.validate(tx, context);
      }
    };
    ValidatorSettings settings = new ValidatorSettings(ConsensusConfig.bft(c),
        genesis.validatorSet(), self, new FalconSigner(identity.falconKey()), new FalconVerifier(),
        locked, ConsensusConfig.snapshotEvery(c));
    CommitListener listener = new CommitListener() {
      @Override
      public void committed(Block block, CommitCertificate certificate) {
        keeper.tell(new ChainKeeper.Committed(Codec.encode(block), Codec.encode(certificate),
            System.currentTimeMillis()));
      }

      @Override
      public void rejected(Digest transactionId, Digest blockId, String reason) {
        keeper.tell(new ChainKeeper.Rejected(transactionId.hex(),
            blockId == null ? "" : blockId.hex(), reason, System.currentTimeMillis()));
      }
    };
    ActorRef<Validator.Command> validator = system.systemActorOf(
        Behaviors.supervise(Validator.create(settings,
                ReceptionistNetwork.factory(),
                listener, history(system, Validator.persistenceId(genesis.chainId(), self),
                    c.getInt("catch-up-blocks"))))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1),
                Duration.ofSeconds(10), 0.2)),
        "validator", Props.empty());
    LocationClaim location = LocationClaim.of(address(config), config.getString("hypermesh.node.region"));
    ChainSubmitter submitter = new ChainSubmitter(system, genesis.parameters(), identity, plot,
        location, state, keeper, validator, c.getLong("submit-tick-lag"),
        config.getDuration("hypermesh.stoq.request-timeout"));
    log.info("consensus: {} is validator {} of {} on chain {}", name, self,
        genesis.validators().size(), genesis.chainId().hex());
    return new ConsensusNode(genesis, self, state, keeper, validator, submitter, askTimeout,
        submitRoles, metrics, new ChainAssets(system, genesis, state, assetRules, submitter,
            config.getDuration("hypermesh.assets.commit-timeout"), askTimeout));
  }

  /**
   * Committed ASSET_REGISTRATION transactions through {@link AssetRules} (under the state's
   * monitor, where the keeper calls this), and the registrations to the asset entities through
   * one {@link AssetApplier} (which needs the Asset shard region: {@code AssetService.start}
   * runs before this).
   */
  private static ChainKeeper.Applier assetApplier(ActorSystem<?> system, AssetRules rules) {
    Duration askTimeout = config(system).getDuration("hypermesh.assets.ask-timeout");
    ClusterSharding sharding = ClusterSharding.get(system);
    ActorRef<AssetApplier.Command> applier = system.systemActorOf(
        AssetApplier.create(id -> sharding.entityRefFor(AssetEntity.TYPE_KEY, id), askTimeout),
        "asset-applier", Props.empty());
    return applied -> {
      for (AppliedTransaction tx : applied) {
        try {
          rules.apply(tx).ifPresent(outcome -> {
            if (outcome instanceof AssetRules.Registered r) {
              applier.tell(new AssetApplier.Apply(r.asset(), r.height(), r.index(), r.transactionId()));
            } else {
              log.info("consensus: {}", ((AssetRules.Refused) outcome).message());
            }
          });
        } catch (RuntimeException e) {
          // AssetRules never throws on chain input; this keeps a bug there from stopping the keeper.
          log.error("consensus: applying transaction {} to the asset layer failed", tx.id().hex(), e);
        }
      }
    };
  }

  private static Config config(ActorSystem<?> system) {
    return system.settings().config();
  }

  /** This node's index in the genesis by its key; a name listed with another key is an error. */
  static int selfIndex(Genesis genesis, String name, StoqIdentity identity, Path path) {
    PublicKey key = identity.chain().get(0).getPublicKey();
    List<byte[]> keys = genesis.publicKeys();
    for (int i = 0; i < keys.size(); i++) {
      if (Arrays.equals(keys.get(i), key.getEncoded())) {
        return i;
      }
    }
    int byName = genesis.indexOf(name);
    if (byName >= 0) {
      throw new NodeConfig.InvalidConfigException("genesis file " + path + " lists " + name
          + " as validator " + byName + " with another key than this node's identity "
          + "(hypermesh.stoq.identity.key-file): it would sign votes nobody accepts");
    }
    return -1;
  }

  private static String accountHex(StoqIdentity identity) {
    return HEX.formatHex(Accounts.id(identity.chain().get(0).getPublicKey()));
  }

  private static Inet6Address address(Config config) {
    try {
      InetAddress address = InetAddress.getByName(config.getString("hypermesh.node.host"));
      if (address instanceof Inet6Address v6) {
        return v6;
      }
    } catch (UnknownHostException e) {
      // reported below
    }
    throw new NodeConfig.InvalidConfigException("consensus needs hypermesh.node.host to be an "
        + "IPv6 address (the PoSpace location claim), not '" + config.getString("hypermesh.node.host") + "'");
  }

  /**
   * Tells the keeper every block in the validator's journal (it ignores those it has), then waits
   * until it has processed them: the tells and the ask leave this thread in order.
   */
  private static void catchUp(ActorSystem<?> system, ActorRef<ChainKeeper.Command> keeper,
      org.apache.pekko.persistence.typed.PersistenceId validatorId, Duration timeout) {
    // A loaded Cassandra times queries out now and then (the keeper's recovery too, which its
    // supervisor restarts): retry until the schema timeout rather than fail the node's start.
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        List<ChainKeeper.Committed> blocks = validatorBlocks(system, validatorId, 1)
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        blocks.forEach(keeper::tell);
        var head = org.apache.pekko.actor.typed.javadsl.AskPattern.<ChainKeeper.Command,
                online.hypermesh.protocol.chain.ChainResponse>ask(keeper, ChainKeeper.GetHead::new,
                Duration.ofSeconds(30), system.scheduler())
            .toCompletableFuture().get(31, TimeUnit.SECONDS);
        log.info("consensus: chain keeper recovered; {} blocks in the validator journal; head {}",
            blocks.size(), head);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("consensus: interrupted while starting", e);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("consensus: the chain keeper did not catch up with the "
              + "validator journal " + validatorId.id() + " within " + timeout + ": " + e, e);
        }
        log.warn("consensus: catching up with the validator journal failed (attempt {}): {}; retrying",
            attempt, e.toString());
        try {
          Thread.sleep(2000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("consensus: interrupted while starting", interrupted);
        }
      }
    }
  }

  /** The validator's own journal, read back for a validator still in an epoch that ended here. */
  private static online.hypermesh.actors.consensus.ValidatorHistory history(ActorSystem<?> system,
      org.apache.pekko.persistence.typed.PersistenceId validatorId, int chunkBlocks) {
    return new online.hypermesh.actors.consensus.ValidatorHistory() {
      @Override
      public java.util.concurrent.CompletionStage<List<Validator.BlockCommitted>> committed(
          long from, long to) {
        CassandraReadJournal journal = PersistenceQuery.get(system)
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
        return journal.currentEventsByPersistenceId(validatorId.id(), 0, Long.MAX_VALUE)
            .map(envelope -> envelope.event())
            .filter(event -> event instanceof Validator.BlockCommitted c && c.height() >= from
                && c.height() <= to)
            .map(event -> (Validator.BlockCommitted) event)
            .runWith(Sink.seq(), system);
      }

      @Override
      public int chunkBlocks() {
        return chunkBlocks;
      }
    };
  }

  /**
   * The blocks at {@code fromHeight} and above in the validator's journal, in journal (= height)
   * order. Reads the whole journal: it is only needed at start and after a lost commit.
   */
  private static java.util.concurrent.CompletionStage<List<ChainKeeper.Committed>> validatorBlocks(
      ActorSystem<?> system, org.apache.pekko.persistence.typed.PersistenceId validatorId,
      long fromHeight) {
    CassandraReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    return journal.currentEventsByPersistenceId(validatorId.id(), 0, Long.MAX_VALUE)
        .filter(envelope -> envelope.event() instanceof Validator.BlockCommitted committed
            && committed.height() >= fromHeight)
        .map(envelope -> {
          Validator.BlockCommitted committed = (Validator.BlockCommitted) envelope.event();
          return new ChainKeeper.Committed(committed.block(), committed.certificate(),
              envelope.timestamp());
        })
        .runWith(Sink.seq(), system);
  }

  public Genesis genesis() {
    return genesis;
  }

  public boolean validator() {
    return self >= 0;
  }

  /**
   * Why this validator node no longer serves the chain, or null while it does: a validator that
   * a committed validator-set change left out retires, and its keeper, fed by that validator,
   * stops at the change. Answering reads from it would serve a frozen chain as if current.
   */
  public String retirement() {
    if (self < 0) {
      return null;
    }
    synchronized (state) {
      if (state.validatorSet().indexOf(ownKey) >= 0) {
        return null;
      }
    }
    ChainResponse.Epoch epoch = EpochReads.answer(state);
    return "this node is not a validator of epoch " + epoch.epoch() + " of chain "
        + epoch.chainId() + " (it retired when the set changed at height "
        + (epoch.fromHeight() - 1) + ") and keeps no chain since; ask one of "
        + epoch.members().stream().map(ChainResponse.EpochMember::name).toList();
  }

  public ActorRef<ChainKeeper.Command> keeper() {
    return keeper;
  }

  public ActorRef<Validator.Command> validatorRef() {
    return validator;
  }

  /** Asset registration through the chain (refuses on a node that is not a validator). */
  public ChainAssets assets() {
    return assets;
  }

  public ChainSubmitter submitter() {
    return submitter;
  }

  public Duration askTimeout() {
    return askTimeout;
  }

  public List<String> submitRoles() {
    return submitRoles;
  }

  ConsensusMetrics metrics() {
    return metrics;
  }

  ChainState state() {
    return state;
  }
}
