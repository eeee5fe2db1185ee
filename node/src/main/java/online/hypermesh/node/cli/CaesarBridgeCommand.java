package online.hypermesh.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import online.hypermesh.node.consensus.GenesisFile;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.ExecutionAttestation;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.chain.Genesis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The CAES bridge between two chains: set-up (register the other chain's validator set), lock and
 * burn here, and the relayer's two steps: take a proof from the source chain, redeem it on the
 * destination chain. The proof is a file, so the relayer needs no trust from either chain: the
 * destination checks everything in it.
 */
@Command(name = "bridge",
    description = "CAES bridge: register, lock, burn, proof, redeem, relay, follow, status.",
    subcommands = {CaesarBridgeCommand.Register.class, CaesarBridgeCommand.Lock.class,
        CaesarBridgeCommand.Burn.class, CaesarBridgeCommand.Proof.class,
        CaesarBridgeCommand.Redeem.class, CaesarBridgeCommand.Relay.class,
        CaesarBridgeCommand.Follow.class, CaesarBridgeCommand.Status.class})
final class CaesarBridgeCommand {

  static Digest digest(String option, String hex) {
    try {
      byte[] bytes = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
      if (bytes.length == Digest.LENGTH) {
        return Digest.of(bytes);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new CliException(option + " must be 64 hex digits, not '" + hex + "'", 2);
  }

  @Command(name = "register", description = "Register a bridge to another chain: trust its "
      + "validator set, read from its genesis file (signed by this chain's bridge admin).")
  static final class Register implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--genesis", required = true, paramLabel = "FILE",
        description = "The other chain's genesis file: its chain id and validators' certificates.")
    Path genesis;

    @Option(names = "--trusted-from-height", defaultValue = "0",
        description = "The other chain's height from which its genesis validator set is trusted. "
            + "Default: ${DEFAULT-VALUE}.")
    long trustedFromHeight;

    @Option(names = "--wait", defaultValue = "30", description = "Seconds to wait for the commit.")
    int waitSeconds;

    @Override
    public Integer call() {
      Genesis remote;
      try {
        remote = GenesisFile.read(genesis).genesis(genesis);
      } catch (RuntimeException e) {
        throw new CliException("--genesis: " + e.getMessage(), 2);
      }
      List<byte[]> keys = remote.publicKeys();
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("remoteChain", remote.chainId().hex());
      extra.put("validators", keys.size());
      extra.put("trustedFromHeight", trustedFromHeight);
      return CaesarCommand.submit(node, waitSeconds, nonce -> new CaesarTransaction.Register(nonce,
          remote.chainId(), trustedFromHeight, keys), extra);
    }
  }

  /** Options of a lock or burn. */
  static final class Transfer {
    @Mixin
    NodeOptions node;

    @Option(names = "--chain", required = true, paramLabel = "CHAIN",
        description = "The other chain's id (64 hex digits).")
    String chain;

    @Option(names = "--to", required = true, paramLabel = "ACCOUNT",
        description = "The recipient's account on the other chain.")
    String to;

    @Option(names = "--amount", required = true, paramLabel = "CAES", description = "CAES.")
    String amount;

    @Option(names = "--wait", defaultValue = "30", description = "Seconds to wait for the commit.")
    int waitSeconds;

    /** A lock or burn: (nonce, remote chain, recipient, amount). */
    interface Operation {
      CaesarTransaction of(long nonce, Digest chain, Digest to, long amount);
    }

    int submit(Operation operation) {
      Digest remote = digest("--chain", chain);
      Digest recipient = digest("--to", to);
      long units = CaesarCommand.units(amount);
      return CaesarCommand.submit(node, waitSeconds,
          nonce -> operation.of(nonce, remote, recipient, units),
          Map.of("amount", CaesarCommand.caes(units)));
    }
  }

  @Command(name = "lock", description = "Lock CAES here for an account on another chain "
      + "(then relay with `bridge relay`, or `bridge proof` and `bridge redeem`).")
  static final class Lock implements Callable<Integer> {
    @Mixin
    Transfer t;

    @Override
    public Integer call() {
      return t.submit(CaesarTransaction.Lock::new);
    }
  }

  @Command(name = "burn", description = "Burn wrapped CAES that came from another chain; it is "
      + "released there to --to once relayed.")
  static final class Burn implements Callable<Integer> {
    @Mixin
    Transfer t;

    @Override
    public Integer call() {
      return t.submit(CaesarTransaction.Burn::new);
    }
  }

  @Command(name = "proof", description = "Relayer, step 1: fetch the proof of a committed lock or "
      + "burn from its chain (with the attestations of more than a third of its validators: "
      + "name more of its nodes with --attester) and write it to a file.")
  static final class Proof implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "TX", description = "The lock or burn transaction id.")
    String transaction;

    @Option(names = "--attester", paramLabel = "HOST:PORT",
        description = "Another validator node of the source chain whose attestation to add.")
    List<String> attesters = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE",
        description = "Where to write the proof (the BRIDGE_REDEEM payload).")
    Path out;

    @Override
    public Integer call() {
      Fetched f = fetch(node, transaction, attesters);
      try {
        Files.write(out, f.payload());
      } catch (IOException e) {
        throw new CliException("cannot write " + out + ": " + e.getMessage());
      }
      Map<String, Object> json = f.json();
      json.put("file", out.toString());
      AssetCommand.print(node.json, json, f.describe() + ", " + f.payload().length
          + " bytes written to " + out);
      return 0;
    }
  }

  /** A proof as fetched from the source chain, with the attestations merged. */
  record Fetched(ChainResponse.BridgeProof first, byte[] payload, int attestations, int headers,
      List<String> missing) {

    Map<String, Object> json() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("sourceChain", first.sourceChain());
      json.put("transaction", first.transactionId());
      json.put("height", first.height());
      json.put("direction", first.direction());
      json.put("destinationChain", first.destinationChain());
      json.put("recipient", first.recipient());
      json.put("amount", CaesarCommand.caes(first.amountUnits()));
      json.put("attestations", attestations);
      json.put("attesterErrors", missing);
      json.put("headers", headers);
      json.put("bytes", payload.length);
      return json;
    }

    String describe() {
      return first.direction() + " " + first.transactionId() + " at height " + first.height()
          + ": " + CaesarCommand.caes(first.amountUnits()) + " CAES for " + first.recipient()
          + " on chain " + first.destinationChain() + "; " + attestations + " attestation(s)";
    }
  }

  /** The proof from {@code source}, with the attestations of {@code attesters} merged in. */
  static Fetched fetch(NodeOptions source, String transaction, List<String> attesters) {
    ChainResponse.BridgeProof first = ChainCommand.expect(
        source.sendChain(new ChainRequest.BridgeProof(transaction)), ChainResponse.BridgeProof.class);
    CaesarTransaction.Redeem redeem = decode(first.redeem(), "node " + source.node);
    Map<Integer, ExecutionAttestation> attestations = new LinkedHashMap<>();
    redeem.attestations().forEach(a -> attestations.putIfAbsent(a.validator(), a));
    List<String> missing = new ArrayList<>();
    for (String attester : attesters) {
      // One attester that cannot answer (not caught up yet, unreachable) does not spoil the
      // others: the destination decides whether the attestations suffice.
      try {
        ChainResponse.BridgeProof more = ChainCommand.expect(askAttester(source, attester,
            transaction), ChainResponse.BridgeProof.class);
        decode(more.redeem(), "attester " + attester).attestations()
            .forEach(a -> attestations.putIfAbsent(a.validator(), a));
      } catch (CliException e) {
        missing.add(attester + ": " + e.getMessage());
        System.err.println("no attestation from " + attester + ": " + e.getMessage());
      }
    }
    byte[] payload = CaesarCodec.encode(new CaesarTransaction.Redeem(redeem.sourceChain(),
        redeem.recipient(), redeem.amount(), redeem.proof(), List.copyOf(attestations.values())));
    return new Fetched(first, payload, attestations.size(), redeem.proof().headers().size(),
        missing);
  }

  /**
   * Another node of the source chain may apply the transfer's block a moment after the node that
   * answered first: NOT_FOUND is asked again for up to {@link #ATTESTER_PATIENCE_MILLIS}.
   */
  private static ChainResponse askAttester(NodeOptions source, String attester,
      String transaction) {
    long deadline = System.currentTimeMillis() + ATTESTER_PATIENCE_MILLIS;
    while (true) {
      ChainResponse reply = source.sendChainTo(attester, new ChainRequest.BridgeProof(transaction));
      if (!(reply instanceof ChainResponse.Rejected r)
          || r.reason() != ChainResponse.Reason.NOT_FOUND
          || System.currentTimeMillis() > deadline) {
        return reply;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return reply;
      }
    }
  }

  private static final long ATTESTER_PATIENCE_MILLIS = 10_000;

  private static CaesarTransaction.Redeem decode(byte[] payload, String from) {
    if (CaesarCodec.decode(payload) instanceof CaesarCodec.Valid v
        && v.transaction() instanceof CaesarTransaction.Redeem r) {
      return r;
    }
    throw new CliException(from + " answered with a proof that does not decode");
  }

  /** Submits a proof to the destination chain; the exit code. */
  static int redeem(NodeOptions node, byte[] payload, int waitSeconds,
      Map<String, Object> extra) {
    if (!(CaesarCodec.decode(payload) instanceof CaesarCodec.Valid v)
        || !(v.transaction() instanceof CaesarTransaction.Redeem r)) {
      throw new CliException("not a bridge proof (`caesar bridge proof` writes one)", 2);
    }
    Map<String, Object> all = new LinkedHashMap<>(extra);
    all.put("sourceChain", r.sourceChain().hex());
    all.put("recipient", r.recipient().hex());
    all.put("amount", CaesarCommand.caes(r.amount()));
    return CaesarCommand.report(node, ChainCommand.expect(node.sendChain(
        new ChainRequest.CaesarSubmit(payload, waitSeconds * 1000L)),
        ChainResponse.Submitted.class), r, null, all);
  }

  @Command(name = "relay", description = "Relayer, both steps at once: the proof of a lock or "
      + "burn from a node of its chain (--from, with --from-identity if that chain has another "
      + "TrustChain), submitted to the destination chain's node (--node).")
  static final class Relay implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "TX", description = "The lock or burn transaction id.")
    String transaction;

    @Option(names = "--from", required = true, paramLabel = "HOST:PORT",
        description = "A validator node of the source chain.")
    String from;

    @Option(names = "--from-identity", paramLabel = "DIR",
        description = "The CLI identity the source chain trusts. Default: --identity.")
    Path fromIdentity;

    @Option(names = "--attester", paramLabel = "HOST:PORT",
        description = "Another validator node of the source chain whose attestation to add.")
    List<String> attesters = new ArrayList<>();

    @Option(names = "--wait", defaultValue = "30", description = "Seconds to wait for the commit.")
    int waitSeconds;

    @Override
    public Integer call() {
      Fetched f = fetch(source(node, from, fromIdentity), transaction, attesters);
      if (!node.json) {
        System.out.println("proof: " + f.describe());
      }
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("proof", f.json());
      return redeem(node, f.payload(), waitSeconds, extra);
    }
  }

  /** A node of the source chain, reached with {@code identity} (default: the CLI's). */
  private static NodeOptions source(NodeOptions node, String from, Path identity) {
    NodeOptions source = new NodeOptions();
    source.node = from;
    source.identityDir = identity != null ? identity : node.identityDir;
    source.timeoutSeconds = node.timeoutSeconds;
    return source;
  }

  @Command(name = "follow", description = "Relayer: make this chain's light client of another "
      + "chain follow that chain's validator-set changes. Fetches the proof of each change from "
      + "a node of the other chain (--from) and submits it here (--node): by default every epoch "
      + "this chain has not followed yet, in order, until the other chain has no more.")
  static final class Follow implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--from", required = true, paramLabel = "HOST:PORT",
        description = "A validator node of the other chain.")
    String from;

    @Option(names = "--from-identity", paramLabel = "DIR",
        description = "The CLI identity the other chain trusts. Default: --identity.")
    Path fromIdentity;

    @Option(names = "--epoch", paramLabel = "N",
        description = "Only the change that started epoch N (1 for the first change). Default: "
            + "each epoch after the one this chain's light client is in.")
    Long epoch;

    @Option(names = "--wait", defaultValue = "30", description = "Seconds to wait for each commit.")
    int waitSeconds;

    @Override
    public Integer call() {
      if (epoch != null && epoch < 1) {
        throw new CliException("--epoch must be 1 or more (epoch 0 is the genesis set; the first "
            + "validator-set change starts epoch 1), not " + epoch, 2);
      }
      if (waitSeconds < 0) {
        throw new CliException("--wait must be 0 or more seconds, not " + waitSeconds, 2);
      }
      NodeOptions source = source(node, from, fromIdentity);
      long next;
      String remote;
      if (epoch != null) {
        next = epoch;
        remote = "";
      } else {
        remote = ChainCommand.expect(source.sendChain(new ChainRequest.Head()),
            ChainResponse.Head.class).chainId();
        ChainResponse.BridgeStatus status = ChainCommand.expect(
            node.sendChain(new ChainRequest.BridgeStatus()), ChainResponse.BridgeStatus.class);
        ChainResponse.BridgeInfo bridge = status.bridges().stream()
            .filter(b -> b.remoteChain().equals(remote)).findFirst()
            .orElseThrow(() -> new CliException("chain " + status.chainId() + " has no bridge to "
                + "chain " + remote + " (" + from + "): register it first with `caesar bridge "
                + "register`", HyperMeshCli.EXIT_REJECTED));
        next = bridge.epoch() + 1L;
      }
      List<Map<String, Object>> epochs = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      int exit = 0;
      while (true) {
        ChainResponse.EpochProof proof;
        ChainResponse.TxStatus status;
        try {
          ChainResponse reply = source.sendChain(new ChainRequest.EpochProof(next));
          if (epoch == null && reply instanceof ChainResponse.Rejected r
              && r.reason() == ChainResponse.Reason.NOT_FOUND) {
            text.append(epochs.isEmpty() ? "nothing to follow: " : "done: ").append(r.message());
            break;
          }
          proof = ChainCommand.expect(reply, ChainResponse.EpochProof.class);
          status = ChainCommand.expect(node.sendChain(new ChainRequest.CaesarSubmit(
              proof.payload(), waitSeconds * 1000L)), ChainResponse.Submitted.class).status();
        } catch (CliException e) {
          if (epochs.isEmpty()) {
            throw e;
          }
          // Report the epochs already followed with the one that failed.
          epochs.add(new LinkedHashMap<>(Map.of("epoch", next, "applied", false,
              "failure", e.getMessage())));
          text.append("epoch ").append(next).append(": ").append(e.getMessage());
          exit = e.exitCode();
          break;
        }
        boolean committed = status.state() == ChainResponse.TxState.COMMITTED;
        boolean applied = committed && status.reason().isEmpty();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", proof.epoch());
        m.put("sourceChain", proof.sourceChain());
        m.put("change", proof.changeTransaction());
        m.put("changeHeight", proof.changeHeight());
        m.put("baseHeight", proof.baseHeight());
        m.put("validators", proof.validators());
        m.put("bytes", proof.payload().length);
        m.put("transaction", ChainCommand.txJson(status));
        m.put("applied", applied);
        if (!applied) {
          m.put("failure", committed ? status.reason() : ChainCommand.describe(status));
        }
        epochs.add(m);
        text.append("epoch ").append(proof.epoch()).append(" of chain ")
            .append(proof.sourceChain()).append(" (").append(proof.validators())
            .append(" validators from height ").append(proof.baseHeight() + 1).append("): ")
            .append(applied ? "followed, " + ChainCommand.describe(status)
                : committed ? "committed at height " + status.height() + " but refused: "
                    + status.reason() : ChainCommand.describe(status))
            .append('\n');
        if (!applied) {
          exit = HyperMeshCli.EXIT_REJECTED;
          break;
        }
        if (epoch != null) {
          break;
        }
        next++;
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("from", from);
      json.put("epochs", epochs);
      json.put("followed", epochs.stream().filter(e -> Boolean.TRUE.equals(e.get("applied")))
          .count());
      AssetCommand.print(node.json, json, text.toString().stripTrailing());
      return exit;
    }
  }

  @Command(name = "redeem", description = "Relayer, step 2: submit a proof file to the "
      + "destination chain, which mints (for a lock) or releases (for a burn) once it verifies.")
  static final class Redeem implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "FILE", description = "A proof written by `caesar bridge proof`.")
    Path file;

    @Option(names = "--wait", defaultValue = "30", description = "Seconds to wait for the commit.")
    int waitSeconds;

    @Override
    public Integer call() {
      byte[] payload;
      try {
        payload = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new CliException("cannot read " + file + ": " + e.getMessage(), 2);
      }
      if (!(CaesarCodec.decode(payload) instanceof CaesarCodec.Valid)) {
        throw new CliException(file + " is not a bridge proof (`caesar bridge proof` writes one)",
            2);
      }
      return redeem(node, payload, waitSeconds, Map.of());
    }
  }

  @Command(name = "status", description = "The bridges registered on this chain.")
  static final class Status implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      ChainResponse.BridgeStatus s = ChainCommand.expect(
          node.sendChain(new ChainRequest.BridgeStatus()), ChainResponse.BridgeStatus.class);
      List<Map<String, Object>> list = new ArrayList<>();
      StringBuilder text = new StringBuilder("chain " + s.chainId() + " at height " + s.height()
          + ", bridge admin " + (s.admin().isEmpty() ? "(none)" : s.admin()) + "\n");
      for (ChainResponse.BridgeInfo b : s.bridges()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("remoteChain", b.remoteChain());
        m.put("trustedFromHeight", b.trustedFromHeight());
        m.put("epoch", b.epoch());
        m.put("epochFromHeight", b.epochFromHeight());
        m.put("validators", b.validators());
        m.put("frozen", b.frozen());
        m.put("locked", CaesarCommand.caes(b.lockedUnits()));
        m.put("minted", CaesarCommand.caes(b.mintedUnits()));
        m.put("redeemed", b.redeemed());
        list.add(m);
        text.append(String.format("  -> %s  %d validators, epoch %d (its set from height %d), "
                + "locked %s CAES, minted %s CAES, %d redeemed%s%n", b.remoteChain(),
            b.validators(), b.epoch(), b.epochFromHeight(),
            CaesarCommand.caes(b.lockedUnits()), CaesarCommand.caes(b.mintedUnits()),
            b.redeemed(), b.frozen().isEmpty() ? "" : "  FROZEN: " + b.frozen()));
      }
      if (s.bridges().isEmpty()) {
        text.append("  no bridges registered\n");
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("chain", s.chainId());
      json.put("height", s.height());
      json.put("admin", s.admin());
      json.put("bridges", list);
      AssetCommand.print(node.json, json, text.toString().stripTrailing());
      return 0;
    }
  }
}
