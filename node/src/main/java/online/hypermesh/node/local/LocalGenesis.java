package online.hypermesh.node.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import online.hypermesh.node.consensus.GenesisFile;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.Plot;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.stoq.IdentityFiles;

/**
 * The genesis of a local cluster's chain: a fresh random chain id and tick seed, the given nodes
 * as validators in order (their node certificates), the parameters and stake of
 * local-genesis.conf, and for each validator's account its plot root (derived from its key, as
 * the node derives it) and the region "local" (every local node's hypermesh.node.region). The
 * chain has CAES: each validator gets the configured liquid balance and its stake bonded in the
 * ledger's genesis, and the CLI's client account (its key at `up`) caesar.cli-balance; the supply
 * is their sum plus the reward pool.
 */
final class LocalGenesis {

  private static final String REGION = "local";

  private LocalGenesis() {}

  /** @param client the CLI's identity, whose account gets caesar.cli-balance; null for none */
  static GenesisFile write(Path file, List<IdentityFiles> validators, List<String> names,
      IdentityFiles client) throws IOException {
    Config c = ConfigFactory.parseResources("local-genesis.conf").resolve().getConfig("local-genesis");
    ChainParameters parameters = new ChainParameters(c.getLong("min-stake"),
        c.getInt("work-difficulty"), c.getInt("plot-leaf-bytes"), c.getLong("min-plot-leaves"),
        c.getInt("challenge-count"), c.getLong("freshness-ticks"),
        c.getDuration("time-window").toMillis(), c.getDuration("clock-skew").toMillis());
    SecureRandom random = new SecureRandom();
    byte[] chainId = new byte[Digest.LENGTH];
    random.nextBytes(chainId);
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    List<GenesisFile.Validator> set = new ArrayList<>();
    List<GenesisFile.Account> accounts = new ArrayList<>();
    Config token = c.getConfig("caesar");
    List<GenesisFile.Allocation> balances = new ArrayList<>();
    List<GenesisFile.Allocation> bonded = new ArrayList<>();
    long supply = token.getLong("reward-pool");
    for (int i = 0; i < validators.size(); i++) {
      X509Certificate leaf = PqPem.readCertificates(validators.get(i).chain()).get(0);
      try {
        set.add(new GenesisFile.Validator(names.get(i), leaf.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IOException("certificate of " + names.get(i) + ": " + e.getMessage(), e);
      }
      PublicKey key = leaf.getPublicKey();
      Plot plot = Plot.generate(Accounts.id(key), parameters.minPlotLeaves(), parameters.plotLeafBytes());
      accounts.add(new GenesisFile.Account(HexFormat.of().formatHex(Accounts.id(key)),
          0, plot.root(), plot.leafCount(), REGION));
      balances.add(GenesisFile.Allocation.ofNode(names.get(i), token.getLong("balance")));
      bonded.add(GenesisFile.Allocation.ofNode(names.get(i), c.getLong("stake")));
      supply = Math.addExact(supply, token.getLong("balance") + c.getLong("stake"));
    }
    String bridgeAdmin = "";
    if (client != null) {
      PublicKey key = PqPem.readCertificates(client.chain()).get(0).getPublicKey();
      String account = HexFormat.of().formatHex(Accounts.id(key));
      // The operator's CLI sets up bridges to other local chains (`caesar bridge register`).
      bridgeAdmin = account;
      if (token.getLong("cli-balance") > 0) {
        balances.add(GenesisFile.Allocation.ofAccount(account, token.getLong("cli-balance")));
        supply = Math.addExact(supply, token.getLong("cli-balance"));
      }
    }
    GenesisFile.Caesar caesar = new GenesisFile.Caesar(supply, token.getLong("reward-pool"),
        token.getLong("demurrage-rate-ppb"), token.getLong("demurrage-exempt-units"),
        token.getLong("unbonding-blocks"), token.getLong("block-reward"),
        token.getLong("job-reward"), balances, bonded, bridgeAdmin);
    GenesisFile genesis = new GenesisFile(Digest.of(chainId),
        Instant.now().truncatedTo(ChronoUnit.MILLIS), seed, c.getLong("ticks-per-block"),
        parameters, set, accounts, caesar);
    genesis.genesis(file);
    genesis.write(file);
    return genesis;
  }
}
