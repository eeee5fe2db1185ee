package online.hypermesh.protocol.consensus.proof;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.trustchain.MerkleHashes;

/**
 * A small chain for the proof tests: one CA and node identity (shared, key generation is the slow
 * part), and per fixture a committed state held in maps (stakes, plots, regions, seen ids) and 21
 * blocks ten ticks and ten seconds apart, the head ten seconds before the fixed clock.
 */
final class ProofFixture {

  static final ChainParameters PARAMS =
      new ChainParameters(1_000, 8, 64, 64, 8, 100, 60_000, 5_000);
  /** Now, fixed: the CA root is valid from a minute before it. */
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final NodeLocalCa CA = NodeLocalCa.create("nkrypt test CA", Duration.ofDays(10));
  static final Inet6Address ADDRESS = v6("2001:db8::7");
  static final String REGION = "eu-west";
  static final Identity NODE = node(CA, "node-1", CertificateRole.NODE);
  static final long PLOT_LEAVES = 128;
  static final int BLOCKS = 21;
  static final int TICKS_PER_BLOCK = 10;
  static final long BLOCK_MILLIS = 10_000;

  final Identity identity;
  final byte[] account;
  final Plot plot;
  final Map<String, Long> stakes = new HashMap<>();
  final Map<String, PlotCommitment> plots = new HashMap<>();
  final Map<String, String> regions = new HashMap<>();
  final Set<String> seen = new HashSet<>();
  final Set<BigInteger> revoked = new HashSet<>();
  final List<BlockTick> blocks = new ArrayList<>();
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final TransactionProver prover;
  private long nonce;

  ProofFixture() {
    this(NODE);
  }

  ProofFixture(Identity identity) {
    this.identity = identity;
    this.account = Accounts.id(identity.leaf().getPublicKey());
    this.plot = Plot.generate(account, PLOT_LEAVES, PARAMS.plotLeafBytes());
    stakes.put(key(account), 5_000L);
    plots.put(key(account), plot.commitment());
    regions.put(key(account), REGION);
    byte[] tick = Ticks.genesis("test chain".getBytes(StandardCharsets.UTF_8));
    for (int h = 0; h < BLOCKS; h++) {
      blocks.add(new BlockTick(h, (long) h * TICKS_PER_BLOCK, tick,
          MerkleHashes.sha256(("block " + h).getBytes(StandardCharsets.UTF_8)),
          NOW.toEpochMilli() - (BLOCKS - h) * BLOCK_MILLIS));
      tick = Ticks.advance(tick, TICKS_PER_BLOCK);
    }
    prover = new TransactionProver(PARAMS, identity, plot, LocationClaim.of(ADDRESS, REGION));
  }

  BlockTick head() {
    return blocks.get(blocks.size() - 1);
  }

  CommittedState state() {
    TickLedger ledger = new TickLedger() {
      @Override
      public Optional<BlockTick> head() {
        return blocks.isEmpty() ? Optional.empty() : Optional.of(blocks.get(blocks.size() - 1));
      }

      @Override
      public Optional<BlockTick> atTick(long tickCount) {
        return blocks.stream().filter(b -> b.tickCount() == tickCount).findFirst();
      }
    };
    return new CommittedState(
        id -> stakes.getOrDefault(key(id), 0L),
        id -> Optional.ofNullable(plots.get(key(id))),
        id -> Optional.ofNullable(regions.get(key(id))),
        ledger,
        id -> seen.contains(key(id)));
  }

  CertificateVerifier certificates() {
    return new CertificateVerifier(CA.certificate(), revoked, clock);
  }

  NKryptVerifier verifier() {
    return verifier(null);
  }

  NKryptVerifier verifier(JobReExecutor jobs) {
    return new NKryptVerifier(PARAMS, certificates(), state(), jobs, clock);
  }

  byte[] payload() {
    return ("transfer 10 to bob #" + nonce).getBytes(StandardCharsets.UTF_8);
  }

  /** A fully proven token transfer against the head block, stamped half a second after it. */
  Transaction valid() {
    return prover.prove(TransactionKind.TOKEN_TRANSFER, payload(), nonce++,
        head().timestampMillis() + 500, null, head());
  }

  /** The same, with every step but {@code omitted} done (space omitted: no claim, no answer). */
  Transaction without(ProofKind omitted) {
    BlockTick reference = head();
    Transaction tx = prover.draft(TransactionKind.TOKEN_TRANSFER, payload(), nonce++,
        reference.timestampMillis() + 500, null,
        omitted == ProofKind.TIME ? null : reference.reference(),
        omitted == ProofKind.SPACE ? null : LocationClaim.of(ADDRESS, REGION));
    if (omitted != ProofKind.STAKE) {
      tx = prover.sign(tx);
    }
    tx = prover.work(tx);
    if (omitted != ProofKind.SPACE) {
      tx = prover.answer(tx, reference.blockHash());
    }
    return omitted == ProofKind.WORK ? tx.withWork(null) : tx;
  }

  static String key(byte[] id) {
    return HexFormat.of().formatHex(id);
  }

  static Identity node(NodeLocalCa ca, String name, CertificateRole role) {
    return ca.issueIdentity(LeafSpec.of(name, role, List.of(name + ".mesh.test"),
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
