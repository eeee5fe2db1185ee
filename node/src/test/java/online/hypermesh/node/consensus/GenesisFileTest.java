package online.hypermesh.node.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.consensus.chain.CaesarGenesis;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.Plot;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The genesis file: written and read back to the same chain; every kind of bad file is a start error naming it. */
class GenesisFileTest {

  private static final NodeLocalCa CA = NodeLocalCa.create("genesis test CA", Duration.ofDays(1));
  private static final ChainParameters PARAMS = new ChainParameters(10, 4, 32, 16, 4, 1000, 60_000, 5_000);
  private static final List<Identity> NODES = new ArrayList<>();

  @TempDir
  Path dir;

  @BeforeAll
  static void identities() throws Exception {
    for (int i = 1; i <= 5; i++) {
      NODES.add(CA.issueIdentity(LeafSpec.of("node-" + i, CertificateRole.NODE, List.of(),
          List.of(InetAddress.getByName("::1")), Duration.ofDays(1))));
    }
  }

  private static GenesisFile genesis(int validators) throws Exception {
    List<GenesisFile.Validator> set = new ArrayList<>();
    List<GenesisFile.Account> accounts = new ArrayList<>();
    for (int i = 0; i < validators; i++) {
      Identity id = NODES.get(i);
      set.add(new GenesisFile.Validator("node-" + (i + 1), id.leaf().getEncoded()));
      byte[] account = Accounts.id(id.leaf().getPublicKey());
      Plot plot = Plot.generate(account, PARAMS.minPlotLeaves(), PARAMS.plotLeafBytes());
      accounts.add(new GenesisFile.Account(HexFormat.of().formatHex(account), 1000, plot.root(),
          plot.leafCount(), "local"));
    }
    return new GenesisFile(Digest.sha256(new byte[] {7}), Instant.parse("2026-11-25T23:00:00Z"),
        new byte[32], 100, PARAMS, set, accounts);
  }

  /** Four validators with CAES: 500 liquid and 1000 bonded each, 77 to a stranger, pool 9000. */
  private static GenesisFile withCaesar() throws Exception {
    GenesisFile plain = genesis(4);
    List<GenesisFile.Account> accounts = new ArrayList<>();
    List<GenesisFile.Allocation> balances = new ArrayList<>();
    List<GenesisFile.Allocation> bonded = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      GenesisFile.Account a = plain.accounts().get(i);
      accounts.add(new GenesisFile.Account(a.accountHex(), 0, a.plotRoot(), a.plotLeaves(),
          a.region()));
      balances.add(GenesisFile.Allocation.ofNode("node-" + (i + 1), 500));
      bonded.add(GenesisFile.Allocation.ofNode("node-" + (i + 1), 1000));
    }
    balances.add(GenesisFile.Allocation.ofAccount(STRANGER, 77));
    GenesisFile.Caesar caesar = new GenesisFile.Caesar(4 * 1500 + 77 + 9000, 9000, 50_000_000,
        10, 5, 100, 7, balances, bonded, STRANGER);
    return new GenesisFile(plain.chainId(), plain.time(), plain.tickSeed(), plain.ticksPerBlock(),
        plain.parameters(), plain.validators(), accounts, caesar);
  }

  private static final String STRANGER = "ab".repeat(32);

  @Test
  void aCaesarSectionBecomesTheLedgersGenesisAndItsStake() throws Exception {
    Path file = dir.resolve("genesis.conf");
    withCaesar().write(file);
    Genesis read = GenesisFile.read(file).genesis(file);
    CaesarGenesis caesar = read.caesar();
    assertEquals(4 * 1500 + 77 + 9000, caesar.supply());
    assertEquals(new CaesarParameters(50_000_000, 10, 5, 100, 7), caesar.parameters());
    assertEquals(77L, caesar.balances().get(STRANGER));
    assertEquals(STRANGER, caesar.bridgeAdmin(), "the bridge admin survives the file");
    assertEquals(Map.of(), read.stakes());
    ChainState state = ChainState.genesis(read);
    for (int i = 0; i < 4; i++) {
      byte[] account = Accounts.id(NODES.get(i).leaf().getPublicKey());
      assertEquals(1000L, state.view().stakes().bondedStake(account));
      assertEquals(500L, caesar.balances().get(HexFormat.of().formatHex(account)));
    }
    // The same file read twice is the same chain.
    assertEquals(state.stateDigest(), ChainState.genesis(GenesisFile.read(file).genesis(file))
        .stateDigest());

    String good = Files.readString(file);
    Files.writeString(file, good.replace("supply = 15077", "supply = 15078"));
    assertError(file, "caesar.supply is 15078 but balances + bonded + reward-pool add up to 15077");
    Files.writeString(file, good.replace("node = \"node-2\", amount = 1000",
        "node = \"node-9\", amount = 1000"));
    assertError(file, "caesar.bonded names node node-9, which is not a validator");
    Files.writeString(file, good.replaceFirst("\", plot-root", "\", stake = 5, plot-root"));
    assertError(file, "with a caesar section, genesis stake goes in caesar.bonded");
    Files.writeString(file, good.replace("node = \"node-1\", amount = 500",
        "node = \"node-1\", account = \"" + STRANGER + "\", amount = 500"));
    assertError(file, "entries name exactly one of node or account");
    Files.writeString(file, good.replace("bridge-admin = \"" + STRANGER + "\"",
        "bridge-admin = \"abcd\""));
    assertError(file, "bridge-admin must be 32 bytes");
    Files.writeString(file, good.replace("demurrage-rate-ppb = 50000000",
        "demurrage-rate-ppb = 600000000"));
    assertError(file, "demurrageRatePpb");
    Files.writeString(file, good.replace("block-reward = 100\n", ""));
    assertError(file, "block-reward");
  }

  private static StoqIdentity stoq(Identity id) {
    return StoqIdentity.of(id, CA.certificate(), Set.of());
  }

  @Test
  void writesAndReadsBackTheSameChain() throws Exception {
    Path file = dir.resolve("genesis.conf");
    GenesisFile written = genesis(4);
    written.write(file);
    Genesis read = GenesisFile.read(file).genesis(file);
    Genesis expected = written.genesis(file);
    assertEquals(expected.validatorSet().genesisId(), read.validatorSet().genesisId());
    assertEquals(expected.stakes(), read.stakes());
    assertEquals(4, read.validators().size());
    assertEquals(2, ConsensusNode.selfIndex(read, "node-3", stoq(NODES.get(2)), file));
    // A node the genesis does not list is no validator.
    assertEquals(-1, ConsensusNode.selfIndex(read, "node-5", stoq(NODES.get(4)), file));
  }

  @Test
  void aNodeListedWithAnotherKeyRefusesToStart() throws Exception {
    Path file = dir.resolve("genesis.conf");
    genesis(4).write(file);
    Genesis read = GenesisFile.read(file).genesis(file);
    NodeConfig.InvalidConfigException e = assertThrows(NodeConfig.InvalidConfigException.class,
        () -> ConsensusNode.selfIndex(read, "node-2", stoq(NODES.get(4)), file));
    assertTrue(e.getMessage().contains("node-2") && e.getMessage().contains("another key"), e.getMessage());
  }

  @Test
  void badFilesAreStartErrorsNamingTheProblem() throws Exception {
    Path file = dir.resolve("genesis.conf");
    assertError(file, "file not found");
    genesis(4).write(file);
    String good = Files.readString(file);

    Files.writeString(file, good.replaceFirst("chain-id = \"[0-9a-f]+\"", "chain-id = \"abcd\""));
    assertError(file, "chain-id must be 32 bytes");
    Files.writeString(file, good.replace("work-difficulty = 4", "work-difficulty = 99"));
    assertError(file, "workDifficulty");
    Files.writeString(file, good.replaceFirst("certificate = \"[^\"]+\"", "certificate = \"AAAA\""));
    assertError(file, "does not parse");
    Files.writeString(file, good.replace("validators = [", "validatorz = ["));
    assertError(file, "validators");
    Files.writeString(file, good.replace("genesis {", "genesis { {"));
    assertError(file, "genesis file " + file);
  }

  private static void assertError(Path file, String expected) {
    NodeConfig.InvalidConfigException e = assertThrows(NodeConfig.InvalidConfigException.class,
        () -> GenesisFile.read(file));
    assertTrue(e.getMessage().contains(expected) && e.getMessage().startsWith("genesis file " + file),
        e.getMessage());
  }
}
