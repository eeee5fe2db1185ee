package online.hypermesh.protocol.consensus.chain;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.LocationClaim;
import online.hypermesh.protocol.consensus.proof.Plot;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.consensus.proof.TransactionProver;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;

/**
 * A 4-validator chain with real FALCON-1024 keys issued by one CA, one staked sender node with a
 * registered plot and region, and helpers that build blocks signed by a quorum. Keys are shared
 * (generation is the slow part); each test builds its own state.
 */
final class ChainFixture {

  static final ChainParameters PARAMS =
      new ChainParameters(1_000, 8, 64, 64, 8, 100, 60_000, 5_000);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final long GENESIS_TIME = NOW.toEpochMilli() - 10_000;
  static final long TICKS_PER_BLOCK = 10;
  static final NodeLocalCa CA = NodeLocalCa.create("chain test CA", Duration.ofDays(10));
  static final Inet6Address ADDRESS = v6("2001:db8::9");
  static final String REGION = "eu-west";
  static final List<Identity> VALIDATORS = List.of(
      node("validator-0"), node("validator-1"), node("validator-2"), node("validator-3"));
  static final Identity SENDER = node("sender-1");
  static final byte[] SENDER_ACCOUNT = Accounts.id(SENDER.leaf().getPublicKey());
  static final Plot PLOT = Plot.generate(SENDER_ACCOUNT, 128, PARAMS.plotLeafBytes());
  static final Digest CHAIN_ID = Digest.sha256("chain test".getBytes(StandardCharsets.UTF_8));

  final Digest chainId;
  final Genesis genesis;
  final ValidatorSet set;
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final TransactionProver prover =
      new TransactionProver(PARAMS, SENDER, PLOT, LocationClaim.of(ADDRESS, REGION));
  private long nonce;

  ChainFixture() {
    this(CHAIN_ID);
  }

  /** The same validators, sender and parameters on another chain (for bridges). */
  ChainFixture(Digest chainId) {
    this.chainId = chainId;
    this.genesis = genesis(chainId);
    this.set = genesis.validatorSet();
  }

  static Genesis genesis() {
    return genesis(CHAIN_ID);
  }

  static Genesis genesis(Digest chainId) {
    List<GenesisValidator> validators = new ArrayList<>();
    for (Identity v : VALIDATORS) {
      validators.add(new GenesisValidator(CertificateVerifier.commonName(v.leaf()), der(v)));
    }
    String account = HexFormat.of().formatHex(SENDER_ACCOUNT);
    return new Genesis(chainId, validators, PARAMS, Map.of(account, 5_000L),
        Map.of(account, PLOT.commitment()), Map.of(account, REGION), GENESIS_TIME,
        "chain test seed".getBytes(StandardCharsets.UTF_8), TICKS_PER_BLOCK);
  }

  CertificateVerifier certificates() {
    return new CertificateVerifier(CA.certificate(), Set.of(), clock);
  }

  NKryptTransactionValidator validator(ChainState state) {
    return new NKryptTransactionValidator(state, certificates(), null, clock);
  }

  /** A fully proven transfer referencing {@code reference}, stamped half a second after it. */
  Transaction transfer(BlockTick reference) {
    long n = nonce++;
    return prover.prove(TransactionKind.TOKEN_TRANSFER,
        ("transfer #" + n).getBytes(StandardCharsets.UTF_8), n,
        reference.timestampMillis() + 500, null, reference);
  }

  static online.hypermesh.protocol.consensus.bft.Transaction wire(Transaction tx) {
    return new online.hypermesh.protocol.consensus.bft.Transaction(
        Digest.of(tx.id()), TransactionCodec.encode(tx));
  }

  /**
   * Block at round = height = parent height + 1, by that round's leader, its time following the
   * parent's by the chain's rule, stamped half a second later.
   */
  Block block(QuorumCert parent, BlockTime parentTime, List<Transaction> txs) {
    long h = parent.height() + 1;
    List<online.hypermesh.protocol.consensus.bft.Transaction> wire = new ArrayList<>();
    for (Transaction tx : txs) {
      wire.add(wire(tx));
    }
    return new Block(h, h, set.leader(h), parent,
        set.timing().next(parentTime, parentTime.timestampMillis() + 500), wire);
  }

  Block child(Block parent, List<Transaction> txs) {
    return block(qc(parent), parent.time(), txs);
  }

  /** A QC on {@code block} signed by {@code signers}. */
  QuorumCert qc(Block block, int... signers) {
    VoteData data = VoteData.of(block);
    TreeMap<Integer, byte[]> signatures = new TreeMap<>();
    for (int i : signers) {
      signatures.put(i, Vote.sign(data, i,
          new FalconSigner(VALIDATORS.get(i).privateKey()), chainId).signature());
    }
    return new QuorumCert(data, signatures);
  }

  QuorumCert qc(Block block) {
    return qc(block, 0, 1, 2);
  }

  /**
   * A chain of {@code blocks.size()} blocks in consecutive rounds, plus one more (empty) so the
   * last has a commit certificate. Returns the blocks and, per block, the certificate
   * committing it.
   */
  Chain chain(List<List<Transaction>> blocks) {
    List<Block> built = new ArrayList<>();
    List<QuorumCert> qcs = new ArrayList<>();
    QuorumCert parent = set.genesisQc();
    BlockTime parentTime = set.timing().genesis();
    for (int i = 0; i <= blocks.size(); i++) {
      Block b = block(parent, parentTime, i < blocks.size() ? blocks.get(i) : List.of());
      built.add(b);
      parent = qc(b);
      parentTime = b.time();
      qcs.add(parent);
    }
    List<CommitCertificate> certs = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      certs.add(new CommitCertificate(qcs.get(i + 1)));
    }
    return new Chain(built.subList(0, blocks.size()), certs, qcs);
  }

  record Chain(List<Block> blocks, List<CommitCertificate> certificates, List<QuorumCert> qcs) {}

  static byte[] der(Identity identity) {
    try {
      return identity.leaf().getEncoded();
    } catch (CertificateEncodingException e) {
      throw new AssertionError(e);
    }
  }

  static Identity node(String name) {
    return CA.issueIdentity(LeafSpec.of(name, CertificateRole.NODE, List.of(name + ".mesh.test"),
        List.of(ADDRESS), Duration.ofDays(1)).withValidity(
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1))));
  }

  static Inet6Address v6(String literal) {
    try {
      return (Inet6Address) InetAddress.getByName(literal);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
