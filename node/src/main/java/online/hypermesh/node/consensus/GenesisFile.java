package online.hypermesh.node.consensus;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.consensus.chain.CaesarGenesis;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.GenesisValidator;
import online.hypermesh.protocol.consensus.proof.PlotCommitment;
import java.util.Set;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.ChainParameters;

/**
 * A chain's genesis as a file, shared by every node of the chain (HOCON):
 *
 * <pre>
 * genesis {
 *   chain-id = "64 hex digits"          # fresh random bytes: a signature on one chain is worthless on another
 *   time = "2026-11-25T23:00:00Z"       # genesis time (ISO-8601)
 *   tick-seed = "64 hex digits"         # start of the validators' sequential hash chain
 *   ticks-per-block = 1000              # hashes each block advances the tick chain
 *   parameters { min-stake, work-difficulty, plot-leaf-bytes, min-plot-leaves, challenge-count,
 *                freshness-ticks, time-window-ms, clock-skew-ms }   # ChainParameters
 *   validators = [ { name = "node-1", certificate = "base64 DER" }, ... ]   # index order
 *   accounts = [ { account = "hex", stake = 1000000, plot-root = "hex", plot-leaves = 1024,
 *                  region = "local" }, ... ]   # genesis stakes, plots and regions
 *   caesar { ... }                      # optional: the CAES ledger, see below
 * }
 * </pre>
 *
 * <p>Without a {@code caesar} section the chain has no token and PoStake reads each account's
 * {@code stake}. With one, bonded stake is CAES held by the ledger: {@code stake} must then be
 * absent (or 0) and the stake goes in {@code caesar.bonded}; PoStake's minimum is still {@code
 * parameters.min-stake}. Amounts are minor units (integers, 1 CAES = 10^8 units):
 *
 * <pre>
 *   caesar {
 *     supply = 1000000000                 # must equal balances + bonded + reward-pool
 *     reward-pool = 100000000             # pays block and job rewards; demurrage flows in
 *     demurrage-rate-ppb = 50000000       # yearly decay of liquid balances, ppb (5%), 0..5e8
 *     demurrage-exempt-units = 0          # the first units of each balance never decay
 *     unbonding-blocks = 100              # blocks from an unbond to the stake's release
 *     block-reward = 1000                 # per committed block, proposer and QC signers share
 *     job-reward = 1000                   # per completed job, to the compute provider
 *     balances = [ { node = "node-1", amount = 400000000 },     # a validator by name, or
 *                  { account = "64 hex digits", amount = 5 } ]   # any account by id
 *     bonded = [ { node = "node-1", amount = 1000000 } ]        # same form: genesis stake
 *     bridge-admin = "64 hex digits"      # optional: the account that may register bridges
 *   }
 * </pre>
 *
 * Everything is checked when read; a bad file is an {@link NodeConfig.InvalidConfigException}
 * naming the file and the key.
 */
public record GenesisFile(Digest chainId, Instant time, byte[] tickSeed, long ticksPerBlock,
    ChainParameters parameters,
    List<Validator> validators, List<Account> accounts, Caesar caesar) {

  /** A genesis without CAES. */
  public GenesisFile(Digest chainId, Instant time, byte[] tickSeed, long ticksPerBlock,
      ChainParameters parameters, List<Validator> validators, List<Account> accounts) {
    this(chainId, time, tickSeed, ticksPerBlock, parameters, validators, accounts, null);
  }

  /** The {@code caesar} section (see the class comment); amounts in minor units. */
  public record Caesar(long supply, long rewardPool, long demurrageRatePpb,
      long demurrageExemptUnits, long unbondingBlocks, long blockReward, long jobReward,
      List<Allocation> balances, List<Allocation> bonded, String bridgeAdmin) {

    /** Without a bridge admin: the chain registers no bridges. */
    public Caesar(long supply, long rewardPool, long demurrageRatePpb, long demurrageExemptUnits,
        long unbondingBlocks, long blockReward, long jobReward, List<Allocation> balances,
        List<Allocation> bonded) {
      this(supply, rewardPool, demurrageRatePpb, demurrageExemptUnits, unbondingBlocks,
          blockReward, jobReward, balances, bonded, "");
    }

    public Caesar {
      balances = List.copyOf(balances);
      bonded = List.copyOf(bonded);
      bridgeAdmin = bridgeAdmin == null ? "" : bridgeAdmin;
    }
  }

  /** An amount for one account: by {@code node} name (a validator) or by {@code account} id. */
  public record Allocation(String node, String account, long amount) {

    public static Allocation ofNode(String node, long amount) {
      return new Allocation(node, "", amount);
    }

    public static Allocation ofAccount(String accountHex, long amount) {
      return new Allocation("", accountHex, amount);
    }
  }

  public record Validator(String name, byte[] certificateDer) {}

  public record Account(String accountHex, long stake, byte[] plotRoot, long plotLeaves,
      String region) {}

  private static final HexFormat HEX = HexFormat.of();

  public static GenesisFile read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw invalid(file, "file not found");
    }
    try {
      Config root = ConfigFactory.parseFile(file.toFile(),
          ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
      Config c = root.getConfig("genesis");
      Digest chainId = Digest.of(hex(c, "chain-id", 32));
      Instant time = Instant.parse(c.getString("time"));
      byte[] seed = hex(c, "tick-seed", 32);
      long ticksPerBlock = c.getLong("ticks-per-block");
      Config p = c.getConfig("parameters");
      ChainParameters parameters = new ChainParameters(p.getLong("min-stake"),
          p.getInt("work-difficulty"), p.getInt("plot-leaf-bytes"), p.getLong("min-plot-leaves"),
          p.getInt("challenge-count"), p.getLong("freshness-ticks"), p.getLong("time-window-ms"),
          p.getLong("clock-skew-ms"));
      List<Validator> validators = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (Config v : c.getConfigList("validators")) {
        String name = v.getString("name");
        if (!names.add(name)) {
          throw invalid(file, "validator " + name + " is listed twice");
        }
        validators.add(new Validator(name, Base64.getDecoder().decode(v.getString("certificate"))));
      }
      if (validators.isEmpty()) {
        throw invalid(file, "genesis.validators is empty");
      }
      Caesar caesar = c.hasPath("caesar") ? caesar(c.getConfig("caesar")) : null;
      List<Account> accounts = new ArrayList<>();
      for (Config a : c.getConfigList("accounts")) {
        // With CAES, stake is the ledger's bonded CAES (caesar.bonded), not a per-account number.
        long stake = caesar != null && !a.hasPath("stake") ? 0 : a.getLong("stake");
        accounts.add(new Account(HEX.formatHex(hex(a, "account", 32)), stake,
            hex(a, "plot-root", 32), a.getLong("plot-leaves"), a.getString("region")));
      }
      GenesisFile read = new GenesisFile(chainId, time, seed, ticksPerBlock, parameters, List.copyOf(validators),
          List.copyOf(accounts), caesar);
      read.genesis(file);
      return read;
    } catch (ConfigException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw invalid(file, e.getMessage());
    }
  }

  private static Caesar caesar(Config c) {
    return new Caesar(c.getLong("supply"), c.getLong("reward-pool"),
        c.getLong("demurrage-rate-ppb"), c.getLong("demurrage-exempt-units"),
        c.getLong("unbonding-blocks"), c.getLong("block-reward"), c.getLong("job-reward"),
        allocations(c, "balances"), allocations(c, "bonded"),
        c.hasPath("bridge-admin") ? HEX.formatHex(hex(c, "bridge-admin", 32)) : "");
  }

  private static List<Allocation> allocations(Config c, String key) {
    List<Allocation> out = new ArrayList<>();
    for (Config a : c.getConfigList(key)) {
      boolean byNode = a.hasPath("node");
      if (byNode == a.hasPath("account")) {
        throw new IllegalArgumentException(
            "caesar." + key + " entries name exactly one of node or account");
      }
      out.add(byNode ? Allocation.ofNode(a.getString("node"), a.getLong("amount"))
          : Allocation.ofAccount(HEX.formatHex(hex(a, "account", 32)), a.getLong("amount")));
    }
    return out;
  }

  public void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("# Genesis of one HyperMesh chain; every node of the chain reads this same file.\n")
        .append("# Format: docs/ARCHITECTURE.md, \"Consensus\". Do not edit a chain's genesis once it runs.\n")
        .append("genesis {\n")
        .append("  chain-id = \"").append(chainId.hex()).append("\"\n")
        .append("  time = \"").append(time).append("\"\n")
        .append("  tick-seed = \"").append(HEX.formatHex(tickSeed)).append("\"\n")
        .append("  ticks-per-block = ").append(ticksPerBlock).append('\n')
        .append("  parameters {\n")
        .append("    min-stake = ").append(parameters.minStake()).append('\n')
        .append("    work-difficulty = ").append(parameters.workDifficulty()).append('\n')
        .append("    plot-leaf-bytes = ").append(parameters.plotLeafBytes()).append('\n')
        .append("    min-plot-leaves = ").append(parameters.minPlotLeaves()).append('\n')
        .append("    challenge-count = ").append(parameters.challengeCount()).append('\n')
        .append("    freshness-ticks = ").append(parameters.freshnessTicks()).append('\n')
        .append("    time-window-ms = ").append(parameters.timeWindowMillis()).append('\n')
        .append("    clock-skew-ms = ").append(parameters.clockSkewMillis()).append('\n')
        .append("  }\n  validators = [\n");
    for (Validator v : validators) {
      b.append("    { name = \"").append(v.name()).append("\", certificate = \"")
          .append(Base64.getEncoder().encodeToString(v.certificateDer())).append("\" }\n");
    }
    b.append("  ]\n  accounts = [\n");
    for (Account a : accounts) {
      b.append("    { account = \"").append(a.accountHex()).append('"');
      if (caesar == null) {
        b.append(", stake = ").append(a.stake());
      }
      b.append(", plot-root = \"").append(HEX.formatHex(a.plotRoot())).append("\", plot-leaves = ")
          .append(a.plotLeaves()).append(", region = \"").append(a.region()).append("\" }\n");
    }
    b.append("  ]\n");
    if (caesar != null) {
      b.append("  caesar {\n")
          .append("    supply = ").append(caesar.supply()).append('\n')
          .append("    reward-pool = ").append(caesar.rewardPool()).append('\n')
          .append("    demurrage-rate-ppb = ").append(caesar.demurrageRatePpb()).append('\n')
          .append("    demurrage-exempt-units = ").append(caesar.demurrageExemptUnits()).append('\n')
          .append("    unbonding-blocks = ").append(caesar.unbondingBlocks()).append('\n')
          .append("    block-reward = ").append(caesar.blockReward()).append('\n')
          .append("    job-reward = ").append(caesar.jobReward()).append('\n');
      writeAllocations(b, "balances", caesar.balances());
      writeAllocations(b, "bonded", caesar.bonded());
      if (!caesar.bridgeAdmin().isEmpty()) {
        b.append("    bridge-admin = \"").append(caesar.bridgeAdmin()).append("\"\n");
      }
      b.append("  }\n");
    }
    b.append("}\n");
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, b.toString());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeAllocations(StringBuilder b, String key, List<Allocation> entries) {
    b.append("    ").append(key).append(" = [\n");
    for (Allocation a : entries) {
      b.append("      { ").append(a.node().isEmpty()
          ? "account = \"" + a.account() + "\""
          : "node = \"" + a.node() + "\"").append(", amount = ").append(a.amount()).append(" }\n");
    }
    b.append("    ]\n");
  }

  /** The chain's {@link Genesis}; its checks (certificates, keys, plots) fail as a bad file. */
  public Genesis genesis(Path file) {
    List<GenesisValidator> set = new ArrayList<>();
    for (Validator v : validators) {
      set.add(new GenesisValidator(v.name(), v.certificateDer()));
    }
    Map<String, Long> stakes = new HashMap<>();
    Map<String, PlotCommitment> plots = new HashMap<>();
    Map<String, String> regions = new HashMap<>();
    for (Account a : accounts) {
      if (plots.put(a.accountHex(), new PlotCommitment(a.plotRoot(), a.plotLeaves())) != null) {
        throw invalid(file, "account " + a.accountHex() + " is listed twice");
      }
      if (caesar == null) {
        stakes.put(a.accountHex(), a.stake());
      } else if (a.stake() != 0) {
        throw invalid(file, "account " + a.accountHex() + " has stake " + a.stake()
            + ": with a caesar section, genesis stake goes in caesar.bonded");
      }
      regions.put(a.accountHex(), a.region());
    }
    try {
      Genesis plain = new Genesis(chainId, set, parameters, stakes, plots, regions,
          time.toEpochMilli(), tickSeed, ticksPerBlock);
      if (caesar == null) {
        return plain;
      }
      return new Genesis(chainId, set, parameters, stakes, plots, regions, time.toEpochMilli(),
          tickSeed, ticksPerBlock, caesarGenesis(plain));
    } catch (IllegalArgumentException e) {
      throw invalid(file, e.getMessage());
    }
  }

  private CaesarGenesis caesarGenesis(Genesis plain) {
    CaesarGenesis g = new CaesarGenesis(
        new CaesarParameters(caesar.demurrageRatePpb(), caesar.demurrageExemptUnits(),
            caesar.unbondingBlocks(), caesar.blockReward(), caesar.jobReward()),
        resolve(plain, "balances", caesar.balances()), resolve(plain, "bonded", caesar.bonded()),
        caesar.rewardPool(), caesar.bridgeAdmin());
    if (g.supply() != caesar.supply()) {
      throw new IllegalArgumentException("caesar.supply is " + caesar.supply()
          + " but balances + bonded + reward-pool add up to " + g.supply());
    }
    return g;
  }

  private static Map<String, Long> resolve(Genesis plain, String key, List<Allocation> entries) {
    Map<String, Long> out = new HashMap<>();
    List<byte[]> keys = plain.publicKeys();
    for (Allocation a : entries) {
      String account = a.account();
      if (!a.node().isEmpty()) {
        int index = plain.indexOf(a.node());
        if (index < 0) {
          throw new IllegalArgumentException(
              "caesar." + key + " names node " + a.node() + ", which is not a validator");
        }
        account = Digest.sha256(keys.get(index)).hex();
      }
      if (a.amount() < 0) {
        throw new IllegalArgumentException(
            "caesar." + key + " of " + account + " must be >= 0, not " + a.amount());
      }
      if (out.put(account, a.amount()) != null) {
        throw new IllegalArgumentException(
            "caesar." + key + " lists account " + account + " twice");
      }
    }
    return out;
  }

  private static byte[] hex(Config c, String key, int length) {
    byte[] bytes = HEX.parseHex(c.getString(key));
    if (bytes.length != length) {
      throw new IllegalArgumentException(key + " must be " + length + " bytes (" + 2 * length
          + " hex digits), not " + bytes.length);
    }
    return bytes;
  }

  private static NodeConfig.InvalidConfigException invalid(Path file, String why) {
    return new NodeConfig.InvalidConfigException("genesis file " + file + ": " + why);
  }
}
