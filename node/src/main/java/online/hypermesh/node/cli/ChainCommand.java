package online.hypermesh.node.cli;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The committed chain over STOQ: head, blocks, transaction status, validators, and a test submit. */
@Command(name = "chain", description = "NKrypt chain: head, block, transaction status, validators, submit.",
    subcommands = {ChainCommand.Head.class, ChainCommand.BlockCmd.class, ChainCommand.Tx.class,
        ChainCommand.ValidatorsCmd.class, ChainCommand.Submit.class, ChainEpochCommand.class})
final class ChainCommand {

  /** The keeper reports -1 while it has no sample; say so instead of printing a negative time. */
  static String latency(ChainResponse.Head h) {
    if (h.latencySamples() == 0) {
      return "commit latency: no transaction submitted through this node yet";
    }
    return "commit latency (submit to commit, last " + h.latencySamples() + " local transactions): p50 "
        + h.commitLatencyP50Millis() + " ms, p99 " + h.commitLatencyP99Millis() + " ms, max "
        + h.commitLatencyMaxMillis() + " ms";
  }

  @Command(name = "head", description = "The committed head as the node sees it, with commit latency.")
  static final class Head implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      ChainResponse.Head h = expect(node.sendChain(new ChainRequest.Head()), ChainResponse.Head.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("chainId", h.chainId());
      json.put("node", h.node());
      json.put("height", h.height());
      json.put("blockId", h.blockId());
      json.put("blockTime", Instant.ofEpochMilli(h.blockTimeMillis()).toString());
      json.put("round", h.round());
      Map<String, Object> latency = new LinkedHashMap<>();
      latency.put("p50Millis", h.commitLatencyP50Millis());
      latency.put("p99Millis", h.commitLatencyP99Millis());
      latency.put("maxMillis", h.commitLatencyMaxMillis());
      latency.put("samples", h.latencySamples());
      json.put("commitLatency", latency);
      json.put("pendingTransactions", h.pooledTransactions());
      AssetCommand.print(node.json, json, "chain " + h.chainId() + " on " + h.node()
          + "\nheight " + h.height() + ", block " + h.blockId() + ", round " + h.round()
          + "\n" + latency(h) + "; pending " + h.pooledTransactions());
      return 0;
    }
  }

  @Command(name = "block", description = "One committed block by height.")
  static final class BlockCmd implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "HEIGHT", description = "Block height (1 = first block).")
    long height;

    @Override
    public Integer call() {
      ChainResponse.Block b = expect(node.sendChain(new ChainRequest.GetBlock(height)), ChainResponse.Block.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("height", b.height());
      json.put("blockId", b.blockId());
      json.put("parentId", b.parentId());
      json.put("round", b.round());
      json.put("proposer", b.proposer());
      json.put("time", Instant.ofEpochMilli(b.timeMillis()).toString());
      json.put("transactions", b.transactionIds());
      json.put("certificateSigners", b.signers());
      json.put("certifiedBy", b.certifiedBy());
      AssetCommand.print(node.json, json, "block " + b.height() + " " + b.blockId() + "\nparent " + b.parentId()
          + "\nround " + b.round() + ", proposer " + b.proposer() + ", " + b.transactionIds().size()
          + " transactions" + (b.transactionIds().isEmpty() ? "" : ":\n  " + String.join("\n  ", b.transactionIds()))
          + "\ncommitted by the certificate of " + b.certifiedBy() + ", signed by validators " + b.signers());
      return 0;
    }
  }

  @Command(name = "tx", description = "A transaction's status: pending, committed at height H, or rejected with the failing proof.")
  static final class Tx implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "ID", description = "Transaction id (64 hex digits).")
    String id;

    @Override
    public Integer call() {
      ChainResponse.TxStatus s = expect(node.sendChain(new ChainRequest.TxStatus(id)), ChainResponse.TxStatus.class);
      AssetCommand.print(node.json, txJson(s), describe(s));
      return 0;
    }
  }

  @Command(name = "validators", description = "The validator set, with liveness as this node sees it.")
  static final class ValidatorsCmd implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      ChainResponse.Validators v = expect(node.sendChain(new ChainRequest.Validators()), ChainResponse.Validators.class);
      List<Map<String, Object>> list = new ArrayList<>();
      StringBuilder text = new StringBuilder("chain " + v.chainId() + ", quorum " + v.quorum() + " of "
          + v.validators().size() + "\n");
      text.append(String.format("%-5s %-10s %-6s %-16s %-16s %s%n", "INDEX", "NAME", "LIVE", "ACCOUNT", "KEY", "LAST SIGNED"));
      for (ChainResponse.ValidatorInfo i : v.validators()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", i.index());
        m.put("name", i.name());
        m.put("account", i.account());
        m.put("keyFingerprint", i.keyFingerprint());
        m.put("self", i.self());
        m.put("live", i.live());
        m.put("lastSignedHeight", i.lastSignedHeight());
        list.add(m);
        text.append(String.format("%-5d %-10s %-6s %-16s %-16s %d%s%n", i.index(), i.name(), i.live() ? "yes" : "no",
            i.account().substring(0, 16), i.keyFingerprint().substring(0, 16), i.lastSignedHeight(),
            i.self() ? " (this node)" : ""));
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("chainId", v.chainId());
      json.put("quorum", v.quorum());
      json.put("validators", list);
      AssetCommand.print(node.json, json, text.toString().stripTrailing());
      return 0;
    }
  }

  @Command(name = "submit", description = "Have the node prove a transaction carrying PAYLOAD with its own key, plot and stake, "
      + "submit it and wait until it is committed or rejected (for tests and demos).")
  static final class Submit implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "PAYLOAD", description = "Payload text (UTF-8).")
    String payload;

    @Option(names = "--break", paramLabel = "PROOF", defaultValue = "",
        description = "Spoil one proof on purpose: WORK, STAKE, SPACE or TIME.")
    String breakProof;

    @Option(names = "--wait", defaultValue = "10", description = "Seconds to wait for the commit, at most the node's hypermesh.stoq.request-timeout less 2 s "
            + "(8 s by default); then the transaction is reported pending with its id (follow it with `chain tx`). "
            + "Default: ${DEFAULT-VALUE}.")
    int waitSeconds;

    @Override
    public Integer call() {
      ChainResponse.Submitted s = expect(node.sendChain(new ChainRequest.Submit(payload.getBytes(StandardCharsets.UTF_8),
          breakProof, waitSeconds * 1000L)), ChainResponse.Submitted.class);
      AssetCommand.print(node.json, txJson(s.status()), describe(s.status()));
      return s.status().state() == ChainResponse.TxState.REJECTED ? HyperMeshCli.EXIT_REJECTED : 0;
    }
  }

  static Map<String, Object> txJson(ChainResponse.TxStatus s) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", s.transactionId());
    json.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
    if (s.state() == ChainResponse.TxState.COMMITTED) {
      json.put("height", s.height());
    }
    if (s.state() == ChainResponse.TxState.REJECTED) {
      json.put("proof", s.proof());
      json.put("reason", s.reason());
    }
    return json;
  }

  static String describe(ChainResponse.TxStatus s) {
    return switch (s.state()) {
      case COMMITTED -> s.transactionId() + " committed at height " + s.height();
      case REJECTED -> s.transactionId() + " rejected: " + s.proof() + " proof failed: " + s.reason();
      case PENDING -> s.transactionId() + " pending in this node's pool";
      case UNKNOWN -> s.transactionId() + " unknown to this node";
    };
  }

  static <T extends ChainResponse> T expect(ChainResponse response, Class<T> type) {
    if (type.isInstance(response)) {
      return type.cast(response);
    }
    if (response instanceof ChainResponse.Rejected rejected) {
      throw new CliException(rejected.message() + " (" + rejected.reason() + ")", HyperMeshCli.EXIT_REJECTED);
    }
    throw new CliException("unexpected reply " + response.getClass().getSimpleName());
  }
}
