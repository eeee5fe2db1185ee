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
 * }
 * </pre>
 *
 * Everything is checked when read; a bad file is an {@link NodeConfig.InvalidConfigException}
 * naming the file and the key.
 */
public record GenesisFile(Digest chainId, Instant time, byte[] tickSeed, long ticksPerBlock,
    ChainParameters parameters,
    List<Validator> validators, List<Account> accounts) {

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
      List<Account> accounts = new ArrayList<>();
      for (Config a : c.getConfigList("accounts")) {
        accounts.add(new Account(HEX.formatHex(hex(a, "account", 32)), a.getLong("stake"),
            hex(a, "plot-root", 32), a.getLong("plot-leaves"), a.getString("region")));
      }
      GenesisFile read = new GenesisFile(chainId, time, seed, ticksPerBlock, parameters, List.copyOf(validators),
          List.copyOf(accounts));
      read.genesis(file);
      return read;
    } catch (ConfigException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw invalid(file, e.getMessage());
    }
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
      b.append("    { account = \"").append(a.accountHex()).append("\", stake = ").append(a.stake())
          .append(", plot-root = \"").append(HEX.formatHex(a.plotRoot())).append("\", plot-leaves = ")
          .append(a.plotLeaves()).append(", region = \"").append(a.region()).append("\" }\n");
    }
    b.append("  ]\n}\n");
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, b.toString());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
      if (stakes.put(a.accountHex(), a.stake()) != null) {
        throw invalid(file, "account " + a.accountHex() + " is listed twice");
      }
      plots.put(a.accountHex(), new PlotCommitment(a.plotRoot(), a.plotLeaves()));
      regions.put(a.accountHex(), a.region());
    }
    try {
      return new Genesis(chainId, set, parameters, stakes, plots, regions, time.toEpochMilli(),
          tickSeed, ticksPerBlock);
    } catch (IllegalArgumentException e) {
      throw invalid(file, e.getMessage());
    }
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
