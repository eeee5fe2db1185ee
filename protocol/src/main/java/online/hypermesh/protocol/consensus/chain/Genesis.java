package online.hypermesh.protocol.consensus.chain;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.BlockTiming;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.LocationClaim;
import online.hypermesh.protocol.consensus.proof.PlotCommitment;
import online.hypermesh.protocol.consensus.proof.Ticks;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Pq;

/**
 * Everything a chain starts from; every validator and every node rebuilding the state must hold
 * the same value. Accounts are keyed by the lowercase hex of their {@link Accounts#id} (64
 * characters).
 *
 * @param chainId binds every signature to this chain
 * @param validators the validator set, index = position; certificates carry FALCON-1024 keys
 * @param parameters the proof parameters
 * @param stakes bonded stake (minor units, >= 0) by account, for a chain without CAES: PoStake
 *     reads it only when {@code caesar} is null, and it must be empty otherwise (stake is then
 *     the ledger's bonded CAES, starting from {@code caesar.bonded})
 * @param plots registered plots by account; at least {@code parameters.minPlotLeaves()} leaves
 * @param regions registered region by account (see {@code RegionRegistry})
 * @param genesisTimeMillis the time of the implicit height-0 block: the first block's lower bound
 * @param tickSeed seeds the validators' tick chain ({@link Ticks#genesis}); 1..1024 bytes
 * @param ticksPerBlock how many ticks each block advances its parent's tick, 1..{@link
 *     #MAX_TICKS_PER_BLOCK}; a validator hashes this many times to check a proposal. With
 *     {@code parameters.clockSkewMillis()} (how far a block's time may be from a voter's clock)
 *     it makes the chain's {@link BlockTiming}.
 * @param caesar the CAES ledger's genesis, or null for a chain without the token
 */
public record Genesis(
    Digest chainId,
    List<GenesisValidator> validators,
    ChainParameters parameters,
    Map<String, Long> stakes,
    Map<String, PlotCommitment> plots,
    Map<String, String> regions,
    long genesisTimeMillis,
    byte[] tickSeed,
    long ticksPerBlock,
    CaesarGenesis caesar) {

  public static final long MAX_TICKS_PER_BLOCK = BlockTiming.MAX_TICKS_PER_BLOCK;
  public static final int MAX_TICK_SEED_BYTES = 1024;

  /** A chain without CAES: PoStake reads {@code stakes}. */
  public Genesis(Digest chainId, List<GenesisValidator> validators, ChainParameters parameters,
      Map<String, Long> stakes, Map<String, PlotCommitment> plots, Map<String, String> regions,
      long genesisTimeMillis, byte[] tickSeed, long ticksPerBlock) {
    this(chainId, validators, parameters, stakes, plots, regions, genesisTimeMillis, tickSeed,
        ticksPerBlock, null);
  }

  public Genesis {
    Objects.requireNonNull(chainId, "genesis chainId");
    Objects.requireNonNull(validators, "genesis validators");
    Objects.requireNonNull(parameters, "genesis parameters");
    Objects.requireNonNull(stakes, "genesis stakes");
    Objects.requireNonNull(plots, "genesis plots");
    Objects.requireNonNull(regions, "genesis regions");
    Objects.requireNonNull(tickSeed, "genesis tickSeed");
    if (validators.isEmpty() || validators.size() > Codec.MAX_VALIDATORS) {
      throw new IllegalArgumentException("genesis needs 1.." + Codec.MAX_VALIDATORS
          + " validators, not " + validators.size());
    }
    validators = List.copyOf(validators);
    Set<String> names = new HashSet<>();
    Set<Digest> keys = new HashSet<>();
    for (int i = 0; i < validators.size(); i++) {
      GenesisValidator v = Objects.requireNonNull(validators.get(i), "genesis validator " + i);
      if (v.name().isBlank() || !names.add(v.name())) {
        throw new IllegalArgumentException(
            "genesis validator " + i + " needs a unique non-blank name, not '" + v.name() + "'");
      }
      if (!keys.add(Digest.sha256(publicKey(i, v).getEncoded()))) {
        throw new IllegalArgumentException(
            "genesis validator " + i + " (" + v.name() + ") repeats another validator's key");
      }
    }
    stakes = sorted(stakes, "stake", (account, stake) -> {
      if (stake == null || stake < 0) {
        throw new IllegalArgumentException(
            "genesis stake of " + account + " must be >= 0, not " + stake);
      }
    });
    long minLeaves = parameters.minPlotLeaves();
    plots = sorted(plots, "plot", (account, plot) -> {
      if (plot == null || plot.root().length != 32) {
        throw new IllegalArgumentException("genesis plot of " + account + " needs a 32-byte root");
      }
      if (plot.leafCount() < minLeaves || plot.leafCount() > ChainParameters.MAX_PLOT_LEAVES) {
        throw new IllegalArgumentException("genesis plot of " + account + " has "
            + plot.leafCount() + " leaves, must be " + minLeaves + ".."
            + ChainParameters.MAX_PLOT_LEAVES);
      }
    });
    if (caesar != null && !stakes.isEmpty()) {
      throw new IllegalArgumentException("a genesis with a caesar section takes bonded stake from "
          + "caesar.bonded; its stakes must be empty, not " + stakes.size() + " entries");
    }
    regions = sorted(regions, "region", (account, region) -> {
      int bytes = region == null ? 0 : region.getBytes(StandardCharsets.UTF_8).length;
      if (region == null || region.isBlank() || bytes > LocationClaim.MAX_REGION_BYTES) {
        throw new IllegalArgumentException("genesis region of " + account + " must be 1.."
            + LocationClaim.MAX_REGION_BYTES + " bytes of UTF-8, not '" + region + "'");
      }
    });
    if (genesisTimeMillis < 0) {
      throw new IllegalArgumentException("genesis time must be >= 0, not " + genesisTimeMillis);
    }
    if (tickSeed.length == 0 || tickSeed.length > MAX_TICK_SEED_BYTES) {
      throw new IllegalArgumentException("genesis tick seed must be 1.." + MAX_TICK_SEED_BYTES
          + " bytes, not " + tickSeed.length);
    }
    tickSeed = tickSeed.clone();
    if (ticksPerBlock < 1 || ticksPerBlock > MAX_TICKS_PER_BLOCK) {
      throw new IllegalArgumentException("ticksPerBlock must be 1.." + MAX_TICKS_PER_BLOCK
          + ", not " + ticksPerBlock);
    }
    // A reference to the head's tick must survive at least the next block, or no transaction
    // could be both fresh and committed.
    if (parameters.freshnessTicks() < ticksPerBlock) {
      throw new IllegalArgumentException("freshnessTicks " + parameters.freshnessTicks()
          + " must be at least ticksPerBlock " + ticksPerBlock
          + " (a transaction stays fresh for freshnessTicks / ticksPerBlock blocks)");
    }
  }

  @Override
  public byte[] tickSeed() {
    return tickSeed.clone();
  }

  /** The FALCON-1024 public keys (X.509 SubjectPublicKeyInfo), by validator index. */
  public List<byte[]> publicKeys() {
    List<byte[]> keys = new ArrayList<>(validators.size());
    for (int i = 0; i < validators.size(); i++) {
      keys.add(publicKey(i, validators.get(i)).getEncoded());
    }
    return keys;
  }

  /** The BFT validator set: chain id, the certificates' keys in order, the block timing. */
  public ValidatorSet validatorSet() {
    return new ValidatorSet(chainId, publicKeys(), blockTiming());
  }

  /**
   * The rule blocks' ticks and timestamps follow: tick 0 is {@link Ticks#genesis} of the seed at
   * the genesis time, each block adds {@link #ticksPerBlock} ticks, and a voter allows {@code
   * parameters.clockSkewMillis()} between a block's time and its clock.
   */
  public BlockTiming blockTiming() {
    return new BlockTiming(
        new BlockTime(0, Digest.of(Ticks.genesis(tickSeed)), genesisTimeMillis), ticksPerBlock,
        parameters.clockSkewMillis());
  }

  /** The tick of the implicit height-0 block: count 0, the seed's tick, the genesis time. */
  public BlockTick genesisTick() {
    return new BlockTick(0, 0, Ticks.genesis(tickSeed), validatorSet().genesisId().bytes(),
        genesisTimeMillis);
  }

  /** The index of the validator named {@code name}, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < validators.size(); i++) {
      if (validators.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static PublicKey publicKey(int index, GenesisValidator v) {
    X509Certificate certificate;
    try {
      byte[] der = v.certificateDer();
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509", Pq.BC)
          .generateCertificate(new ByteArrayInputStream(der));
      if (certificate == null || !Arrays.equals(certificate.getEncoded(), der)) {
        throw new IllegalArgumentException("not exactly one DER certificate");
      }
    } catch (Exception e) {
      throw new IllegalArgumentException("genesis validator " + index + " (" + v.name()
          + "): certificate does not parse: " + e.getMessage(), e);
    }
    PublicKey key = certificate.getPublicKey();
    if (!Falcon.isFalcon1024(key)) {
      throw new IllegalArgumentException("genesis validator " + index + " (" + v.name()
          + "): certificate key is " + key.getAlgorithm() + ", validators sign with "
          + Falcon.ALGORITHM);
    }
    return key;
  }

  private interface EntryCheck<V> {
    void check(String account, V value);
  }

  private static <V> SortedMap<String, V> sorted(
      Map<String, V> entries, String what, EntryCheck<V> check) {
    TreeMap<String, V> copy = new TreeMap<>();
    for (Map.Entry<String, V> e : entries.entrySet()) {
      String account = e.getKey();
      if (!isAccountId(account)) {
        throw new IllegalArgumentException("genesis " + what + " key '" + account
            + "' is not an account id (" + 2 * Accounts.ID_BYTES + " lowercase hex characters)");
      }
      check.check(account, e.getValue());
      copy.put(account, e.getValue());
    }
    return Collections.unmodifiableSortedMap(copy);
  }

  static boolean isAccountId(String s) {
    if (s == null || s.length() != 2 * Accounts.ID_BYTES) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
