package online.hypermesh.bench;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import online.hypermesh.actors.consensus.ReceptionistNetwork;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.actors.consensus.ValidatorSettings;
import online.hypermesh.protocol.consensus.bft.BftConfig;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.chain.CaesarGenesis;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.GenesisValidator;
import online.hypermesh.protocol.consensus.chain.NKryptTransactionValidator;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.LocationClaim;
import online.hypermesh.protocol.consensus.proof.Plot;
import online.hypermesh.protocol.consensus.proof.TransactionProver;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The consensus benches' cluster: a throwaway CA, n = 4 validators and one staked sender node with
 * a registered plot in a {@link Genesis} (optionally with a Caesar section), then a Cassandra and
 * the four {@link Validator}s in one ActorSystem, each checking the four proofs over its own
 * {@link ChainState} (kept in {@link #states} so a bench can read the committed state at the end).
 */
final class ValidatorCluster implements AutoCloseable {

  static final int VALIDATORS = ConsensusBench.VALIDATORS;
  /** Bonded stake of the sender node: above the parameters' minimum of 1,000. */
  static final long SENDER_STAKE = 5_000L;

  final NodeLocalCa ca;
  final Inet6Address address;
  final Genesis genesis;
  final TransactionProver prover;
  final String senderHex;
  final ConsensusBench.Commits commits = new ConsensusBench.Commits();
  /** Validator i's committed state; read it under {@code synchronized (state)} (see Commits). */
  final List<ChainState> states = new ArrayList<>();
  private final List<Identity> validators;
  private CtBench.Env env;
  private List<ActorRef<Validator.Command>> refs = List.of();
  private ActorRef<String> group;

  private ValidatorCluster(NodeLocalCa ca, Inet6Address address, Genesis genesis, TransactionProver prover,
      String senderHex, List<Identity> validators) {
    this.ca = ca;
    this.address = address;
    this.genesis = genesis;
    this.prover = prover;
    this.senderHex = senderHex;
    this.validators = validators;
  }

  /**
   * Keys, certificates and the genesis. Without {@code caesar} (null) the sender's stake is the
   * genesis's static stake; with it, {@code caesar} is given the CA and the sender's account (hex)
   * and must bond the sender's stake in its section.
   */
  static ValidatorCluster create(String caName, ChainParameters params,
      BiFunction<NodeLocalCa, String, CaesarGenesis> caesar) throws Exception {
    NodeLocalCa ca = NodeLocalCa.create(caName, Duration.ofDays(2));
    Inet6Address address = (Inet6Address) InetAddress.getByName("2001:db8::10");
    List<Identity> validators = new ArrayList<>();
    List<GenesisValidator> genesisValidators = new ArrayList<>();
    for (int i = 0; i < VALIDATORS; i++) {
      Identity v = identity(ca, "validator-" + i, address);
      validators.add(v);
      genesisValidators.add(new GenesisValidator("validator-" + i, v.leaf().getEncoded()));
    }
    Identity sender = identity(ca, "sender-1", address);
    byte[] account = Accounts.id(sender.leaf().getPublicKey());
    String accountHex = HexFormat.of().formatHex(account);
    Plot plot = Plot.generate(account, ConsensusBench.PLOT_LEAVES, ConsensusBench.LEAF_BYTES);
    String region = "bench-region";
    CaesarGenesis caesarSection = caesar == null ? null : caesar.apply(ca, accountHex);
    Genesis genesis = new Genesis(Digest.sha256(("bench " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)),
        genesisValidators, params, caesarSection == null ? Map.of(accountHex, SENDER_STAKE) : Map.of(),
        Map.of(accountHex, plot.commitment()), Map.of(accountHex, region), System.currentTimeMillis() - 1_000,
        "bench tick seed".getBytes(StandardCharsets.UTF_8), ConsensusBench.TICKS_PER_BLOCK, caesarSection);
    TransactionProver prover = new TransactionProver(params, sender, plot, LocationClaim.of(address, region));
    return new ValidatorCluster(ca, address, genesis, prover, accountHex, validators);
  }

  /** Starts (or connects to) Cassandra, then the four validators. */
  void start(BftConfig bft, String cassandra) throws Exception {
    env = CtBench.Env.start(cassandra);
    CompletableFuture<List<ActorRef<Validator.Command>>> spawned = new CompletableFuture<>();
    Behavior<String> parent = Behaviors.setup(context -> {
      List<ActorRef<Validator.Command>> spawnedRefs = new ArrayList<>();
      for (int i = 0; i < VALIDATORS; i++) {
        ChainState state = ChainState.genesis(genesis);
        states.add(state);
        TransactionValidator proofs = new NKryptTransactionValidator(state,
            new CertificateVerifier(ca.certificate(), Set.of()), null, Clock.systemUTC());
        ValidatorSettings settings = new ValidatorSettings(bft, genesis.validatorSet(), i,
            new FalconSigner(validators.get(i).privateKey()), new FalconVerifier(), proofs, 100);
        spawnedRefs.add(context.spawn(Validator.create(settings,
            ReceptionistNetwork.factory(), commits.listener(i, state)),
            "validator-" + i));
      }
      spawned.complete(spawnedRefs);
      return Behaviors.receiveMessage(stop -> Behaviors.stopped());
    });
    group = env.system.systemActorOf(parent, "bench-validators", Props.empty());
    refs = spawned.get(60, TimeUnit.SECONDS);
  }

  CtBench.Env env() {
    return env;
  }

  List<ActorRef<Validator.Command>> refs() {
    return refs;
  }

  /** The first committed block's tick, the reference transactions are proven against. */
  BlockTick awaitFirstBlock(int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (commits.latest.get() == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no block committed within " + seconds + " s of starting the validators");
      }
      Thread.sleep(20);
    }
    return commits.latest.get();
  }

  /** Validator {@code i}'s height and round, or null if it does not answer. */
  Validator.Status status(int i) {
    try {
      return AskPattern.<Validator.Command, Validator.Status>ask(refs.get(i), Validator.GetStatus::new,
          Duration.ofSeconds(20), env.system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  /** Stops the validators (Cassandra stays up for the baselines). */
  void stopValidators() {
    if (group != null) {
      group.tell("stop");
      group = null;
    }
  }

  @Override
  public void close() {
    stopValidators();
    if (env != null) {
      env.close();
    }
  }

  static Identity identity(NodeLocalCa ca, String name, Inet6Address address) {
    return ca.issueIdentity(LeafSpec.of(name, CertificateRole.NODE, List.of(name + ".hypermesh.online"),
        List.of(address), Duration.ofDays(1)));
  }
}
