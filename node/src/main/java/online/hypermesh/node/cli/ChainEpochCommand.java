package online.hypermesh.node.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.crypto.PqPem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `hypermesh chain epoch show|propose|sign|submit`: changing the validator set. A change needs
 * the signatures of a quorum of the current set, each made offline by a validator's operator with
 * that validator's key, so no node signs on anyone's word; the file carries the proposal between
 * them. Submitted, it ends the epoch where it commits (docs/RECONFIGURATION.md).
 */
@Command(name = "epoch", description = "Show or change the validator set (epochs).",
    subcommands = {ChainEpochCommand.Show.class, ChainEpochCommand.Propose.class,
        ChainEpochCommand.Sign.class, ChainEpochCommand.Submit.class})
final class ChainEpochCommand {

  private static final HexFormat HEX = HexFormat.of();

  private ChainEpochCommand() {}

  @Command(name = "show", description = "The epoch in force: number, signing id, quorum, members.")
  static final class Show implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      ChainResponse.Epoch e = epoch(node);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("chainId", e.chainId());
      json.put("epoch", e.epoch());
      json.put("signingChainId", e.signingChainId());
      json.put("fromHeight", e.fromHeight());
      json.put("quorum", e.quorum());
      List<Object> members = new ArrayList<>();
      StringBuilder text = new StringBuilder("chain " + e.chainId() + ", epoch " + e.epoch()
          + " (from height " + e.fromHeight() + "), signing id " + e.signingChainId()
          + "\n" + e.members().size() + " validators, quorum " + e.quorum() + ":");
      for (int i = 0; i < e.members().size(); i++) {
        ChainResponse.EpochMember m = e.members().get(i);
        members.add(Map.of("index", i, "name", m.name(), "key",
            Digest.sha256(HEX.parseHex(m.publicKeyHex())).hex()));
        text.append("\n  ").append(i).append(' ').append(m.name().isEmpty() ? "?" : m.name());
      }
      json.put("members", members);
      AssetCommand.print(node.json, json, text.toString());
      return 0;
    }
  }

  @Command(name = "propose", description = "Write a change of the validator set to FILE, for "
      + "the current validators' operators to sign (`chain epoch sign`).")
  static final class Propose implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--member", paramLabel = "NAME", description = "A genesis validator of the "
        + "next set, in order (repeat). Default: the current set less --drop.")
    List<String> members = new ArrayList<>();

    @Option(names = "--drop", paramLabel = "NAME", description = "A current validator to leave "
        + "out of the next set (repeat).")
    List<String> drop = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the proposal.")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (members.isEmpty() == drop.isEmpty()) {
        throw new CliException("name the next set with --member NAME... or leave validators out"
            + " with --drop NAME..., not both or neither", 2);
      }
      ChainResponse.Epoch e = epoch(node);
      List<ChainResponse.EpochMember> next = new ArrayList<>();
      if (!members.isEmpty()) {
        for (String name : members) {
          next.add(e.genesisValidators().stream().filter(v -> v.name().equals(name)).findFirst()
              .orElseThrow(() -> new CliException("'" + name + "' is not a genesis validator of "
                  + "chain " + e.chainId() + "; they are " + names(e.genesisValidators()))));
        }
      } else {
        for (String name : drop) {
          if (e.members().stream().noneMatch(m -> m.name().equals(name))) {
            throw new CliException("'" + name + "' is not a validator of epoch " + e.epoch()
                + "; they are " + names(e.members()));
          }
        }
        e.members().stream().filter(m -> !drop.contains(m.name())).forEach(next::add);
      }
      if (next.size() < 2) {
        throw new CliException("the next set would have " + next.size() + " validator(s); the "
            + "BFT consensus needs at least 2");
      }
      Properties p = new Properties();
      p.setProperty("chain", e.chainId());
      p.setProperty("epoch", Long.toString(e.epoch()));
      p.setProperty("signing-chain-id", e.signingChainId());
      p.setProperty("quorum", Integer.toString(e.quorum()));
      for (int i = 0; i < e.members().size(); i++) {
        p.setProperty("current." + i, e.members().get(i).publicKeyHex());
      }
      for (int i = 0; i < next.size(); i++) {
        p.setProperty("next." + i, next.get(i).publicKeyHex());
        p.setProperty("next." + i + ".name", next.get(i).name());
      }
      write(p, out);
      String summary = "proposed epoch " + (e.epoch() + 1) + " of chain " + e.chainId() + ": "
          + names(next) + "; needs signatures of " + e.quorum() + " of " + names(e.members())
          + " (`hypermesh chain epoch sign " + out + " --key K --cert C`)";
      AssetCommand.print(node.json, Map.of("file", out.toString(), "nextEpoch", e.epoch() + 1,
          "members", names(next), "quorum", e.quorum()), summary);
      return 0;
    }
  }

  @Command(name = "sign", description = "Sign a proposal in FILE with a current validator's "
      + "FALCON-1024 key (offline; the operator of each validator runs this).")
  static final class Sign implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "The validator's private key (PEM).")
    Path key;

    @Option(names = "--cert", required = true, paramLabel = "FILE", description = "The validator's certificate (PEM): which validator signs.")
    Path cert;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      Proposal proposal = Proposal.read(file);
      byte[] publicKey;
      PrivateKey privateKey;
      try {
        publicKey = PqPem.readCertificates(cert).get(0).getPublicKey().getEncoded();
        privateKey = PqPem.readPrivateKey(key, null);
      } catch (IOException | RuntimeException e) {
        throw new CliException("cannot read the validator's key or certificate: " + e.getMessage(),
            2);
      }
      int index = -1;
      for (int i = 0; i < proposal.current().size(); i++) {
        if (Arrays.equals(proposal.current().get(i), publicKey)) {
          index = i;
        }
      }
      if (index < 0) {
        throw new CliException("the certificate " + cert + " is not of a validator of epoch "
            + proposal.epoch() + ": it cannot authorize the change", 2);
      }
      byte[] message = EpochChange.signingBytes(proposal.signingChainId(), proposal.epoch(),
          proposal.next());
      byte[] signature = new FalconSigner(privateKey).sign(message);
      if (!new FalconVerifier().verify(publicKey, message, signature)) {
        throw new CliException("the key " + key + " does not belong to the certificate " + cert, 2);
      }
      proposal.properties().setProperty("signature." + index, HEX.formatHex(signature));
      write(proposal.properties(), file);
      int count = proposal.signatureCount() + (proposal.signatures().containsKey(index) ? 0 : 1);
      AssetCommand.print(json, Map.of("signer", index, "signatures", count,
              "quorum", proposal.quorum()),
          "signed as validator " + index + " of epoch " + proposal.epoch() + "; " + count + " of "
              + proposal.quorum() + " signatures needed");
      return 0;
    }
  }

  @Command(name = "submit", description = "Submit a signed proposal; it ends the epoch where it commits.")
  static final class Submit implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--wait", defaultValue = "8", description = "Seconds to wait for the commit. Default: ${DEFAULT-VALUE}.")
    int waitSeconds;

    @Override
    public Integer call() throws IOException {
      Proposal proposal = Proposal.read(file);
      if (proposal.signatureCount() < proposal.quorum()) {
        throw new CliException("the proposal has " + proposal.signatureCount() + " signature(s);"
            + " epoch " + proposal.epoch() + " needs a quorum of " + proposal.quorum(), 2);
      }
      byte[] payload = new EpochChange(proposal.next(), proposal.signatures()).encode();
      ChainResponse.Submitted s = ChainCommand.expect(node.sendChain(
          new ChainRequest.EpochSubmit(payload, waitSeconds * 1000L)), ChainResponse.Submitted.class);
      AssetCommand.print(node.json, ChainCommand.txJson(s.status()),
          ChainCommand.describe(s.status()));
      return s.status().state() == ChainResponse.TxState.REJECTED ? HyperMeshCli.EXIT_REJECTED : 0;
    }
  }

  static ChainResponse.Epoch epoch(NodeOptions node) {
    return ChainCommand.expect(node.sendChain(new ChainRequest.Epoch()), ChainResponse.Epoch.class);
  }

  private static List<String> names(List<ChainResponse.EpochMember> members) {
    return members.stream().map(ChainResponse.EpochMember::name).toList();
  }

  private static void write(Properties p, Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "HyperMesh validator-set change: `hypermesh chain epoch sign` by a quorum of "
          + "the current validators, then `hypermesh chain epoch submit`");
    }
  }

  /** A proposal file, read back with clear errors. */
  record Proposal(Properties properties, long epoch, Digest signingChainId, int quorum,
      List<byte[]> current, List<byte[]> next, TreeMap<Integer, byte[]> signatures) {

    int signatureCount() {
      return signatures.size();
    }

    static Proposal read(Path file) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
        List<byte[]> current = keys(p, "current.");
        List<byte[]> next = keys(p, "next.");
        TreeMap<Integer, byte[]> signatures = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
          if (name.startsWith("signature.")) {
            signatures.put(Integer.parseInt(name.substring("signature.".length())),
                HEX.parseHex(p.getProperty(name)));
          }
        }
        if (current.isEmpty() || next.isEmpty()) {
          throw new IllegalArgumentException("no current. or next. keys");
        }
        return new Proposal(p, Long.parseLong(required(p, "epoch")),
            Digest.of(HEX.parseHex(required(p, "signing-chain-id"))),
            Integer.parseInt(required(p, "quorum")), current, next, signatures);
      } catch (IOException | RuntimeException e) {
        throw new CliException("cannot read the proposal " + file + " (`chain epoch propose` "
            + "writes one): " + e.getMessage(), 2);
      }
    }

    private static String required(Properties p, String name) {
      String value = p.getProperty(name);
      if (value == null) {
        throw new IllegalArgumentException("missing " + name);
      }
      return value;
    }

    private static List<byte[]> keys(Properties p, String prefix) {
      List<byte[]> keys = new ArrayList<>();
      for (int i = 0; p.getProperty(prefix + i) != null; i++) {
        keys.add(HEX.parseHex(p.getProperty(prefix + i)));
      }
      return keys;
    }
  }
}
