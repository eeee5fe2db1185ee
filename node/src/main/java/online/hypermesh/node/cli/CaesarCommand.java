package online.hypermesh.node.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.stoq.StoqIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * CAES over STOQ. Reads answer from the node's committed state with demurrage applied as of now.
 * Operations are signed by the CLI's own key (the owner authorization: the account debited is the
 * CLI certificate's), then the node adds its four proofs and answers once committed.
 */
@Command(name = "caesar",
    description = "CAES: balance, supply, history, transfer, stake, unstake, bridge.",
    subcommands = {CaesarCommand.Balance.class, CaesarCommand.SupplyCmd.class,
        CaesarCommand.History.class, CaesarCommand.Transfer.class, CaesarCommand.Stake.class,
        CaesarCommand.Unstake.class, CaesarBridgeCommand.class})
final class CaesarCommand {

  private static final int DECIMALS = 8;

  /** Minor units as CAES, e.g. 150000000 -> "1.5". */
  static String caes(long units) {
    return BigDecimal.valueOf(units).movePointLeft(DECIMALS).stripTrailingZeros().toPlainString();
  }

  /** "1.5" CAES as minor units; positive, at most 8 decimals. */
  static long units(String caes) {
    try {
      BigDecimal units = new BigDecimal(caes).movePointRight(DECIMALS);
      if (units.signum() <= 0) {
        throw new CliException("--amount must be positive, not " + caes, 2);
      }
      return units.longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CliException("--amount is CAES with at most " + DECIMALS
          + " decimals below 2^63 units, not '" + caes + "'", 2);
    }
  }

  static String ownAccount(StoqIdentity identity) {
    return HexFormat.of().formatHex(Accounts.id(identity.chain().get(0).getPublicKey()));
  }

  private static String accountOrOwn(NodeOptions node, String account) {
    return account == null || account.isBlank() ? ownAccount(node.clientIdentity())
        : account.toLowerCase(Locale.ROOT);
  }

  @Command(name = "balance", description = "An account's CAES (default: this CLI's own account).")
  static final class Balance implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "ACCOUNT", arity = "0..1",
        description = "Account id (64 hex digits: SHA-256 of the owner's public key).")
    String account;

    @Override
    public Integer call() {
      ChainResponse.CaesarAccount a = ChainCommand.expect(node.sendChain(
          new ChainRequest.CaesarAccount(accountOrOwn(node, account))),
          ChainResponse.CaesarAccount.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("account", a.account());
      json.put("balance", caes(a.balanceUnits()));
      json.put("balanceUnits", a.balanceUnits());
      json.put("asOf", Instant.ofEpochMilli(a.asOfMillis()).toString());
      json.put("nonce", a.nonce());
      json.put("bonded", caes(a.bondedUnits()));
      json.put("unbonding", caes(a.unbondingUnits()));
      json.put("nextReleaseHeight", a.nextReleaseHeight());
      json.put("height", a.height());
      AssetCommand.print(node.json, json, a.account() + "\nbalance " + caes(a.balanceUnits())
          + " CAES (demurrage applied as of " + Instant.ofEpochMilli(a.asOfMillis()) + ")"
          + "\nbonded " + caes(a.bondedUnits()) + " CAES, unbonding " + caes(a.unbondingUnits())
          + " CAES" + (a.nextReleaseHeight() < 0 ? "" : " (next release at height "
              + a.nextReleaseHeight() + ")") + "\nnext nonce " + a.nonce()
          + ", committed height " + a.height());
      return 0;
    }
  }

  @Command(name = "supply", description = "The conservation breakdown of the CAES supply.")
  static final class SupplyCmd implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      ChainResponse.CaesarSupply s = ChainCommand.expect(
          node.sendChain(new ChainRequest.CaesarSupply()), ChainResponse.CaesarSupply.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("chainId", s.chainId());
      json.put("height", s.height());
      json.put("asOf", Instant.ofEpochMilli(s.asOfMillis()).toString());
      json.put("genesis", caes(s.genesisUnits()));
      json.put("balances", caes(s.balancesUnits()));
      json.put("rewardPool", caes(s.rewardPoolUnits()));
      json.put("bonded", caes(s.bondedUnits()));
      json.put("unbonding", caes(s.unbondingUnits()));
      json.put("bridgedOut", caes(s.bridgedOutUnits()));
      json.put("bridgedIn", caes(s.bridgedInUnits()));
      json.put("conserved", s.holds());
      AssetCommand.print(node.json, json, "CAES on chain " + s.chainId() + " at height "
          + s.height() + ", as of " + Instant.ofEpochMilli(s.asOfMillis())
          + "\n  balances    " + caes(s.balancesUnits())
          + "\n  reward pool " + caes(s.rewardPoolUnits())
          + "\n  bonded      " + caes(s.bondedUnits())
          + "\n  unbonding   " + caes(s.unbondingUnits())
          + "\n  bridged out " + caes(s.bridgedOutUnits())
          + "\n= genesis     " + caes(s.genesisUnits()) + " + bridged in "
          + caes(s.bridgedInUnits()) + (s.holds() ? "  (holds)" : "  (BROKEN)"));
      return s.holds() ? 0 : 1;
    }
  }

  @Command(name = "history", description = "The last CAES operations on an account (default: own).")
  static final class History implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "ACCOUNT", arity = "0..1", description = "Account id (64 hex digits).")
    String account;

    @Override
    public Integer call() {
      ChainResponse.CaesarHistory h = ChainCommand.expect(node.sendChain(
          new ChainRequest.CaesarHistory(accountOrOwn(node, account))),
          ChainResponse.CaesarHistory.class);
      List<Map<String, Object>> list = new ArrayList<>();
      StringBuilder text = new StringBuilder(h.account() + ": " + h.entries().size()
          + " operations\n");
      for (ChainResponse.CaesarEntry e : h.entries()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("height", e.height());
        m.put("transaction", e.transactionId());
        m.put("kind", e.kind());
        m.put("owner", e.owner());
        m.put("counterparty", e.counterparty());
        m.put("amount", caes(e.amountUnits()));
        m.put("memo", e.memo());
        m.put("applied", e.failure().isEmpty());
        m.put("failure", e.failure());
        list.add(m);
        text.append(String.format("%8d %-14s %16s -> %-16s %s CAES%s%s%n", e.height(), e.kind(),
            e.owner().substring(0, 16), e.counterparty().isEmpty() ? "" : e.counterparty()
                .substring(0, 16), caes(e.amountUnits()),
            e.memo().isEmpty() ? "" : " \"" + e.memo() + "\"",
            e.failure().isEmpty() ? "" : "  REFUSED: " + e.failure()));
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("account", h.account());
      json.put("operations", list);
      AssetCommand.print(node.json, json, text.toString().stripTrailing());
      return 0;
    }
  }

  /** Options every operation takes. */
  static final class Operation {
    @Mixin
    NodeOptions node;

    @Option(names = "--amount", required = true, paramLabel = "CAES",
        description = "Amount in CAES (up to 8 decimals).")
    String amount;

    @Option(names = "--wait", defaultValue = "30",
        description = "Seconds to wait for the commit, at most the node's hypermesh.stoq.request-timeout less 2 s "
            + "(8 s by default); then the transaction is reported pending with its id (follow it with `chain tx`). "
            + "Default: ${DEFAULT-VALUE}.")
    int waitSeconds;

    /** Reads the own account's nonce and chain id, signs, submits, prints; the exit code. */
    int run(java.util.function.LongFunction<CaesarTransaction> build) {
      return submit(node, waitSeconds, build, Map.of("amount", caes(units(amount))));
    }
  }

  /** Signs {@code build}'s operation with the CLI's key and submits it; the exit code. */
  static int submit(NodeOptions node, int waitSeconds,
      java.util.function.LongFunction<CaesarTransaction> build, Map<String, Object> extra) {
    StoqIdentity identity = node.clientIdentity();
    String own = ownAccount(identity);
    ChainResponse.CaesarAccount a = ChainCommand.expect(
        node.sendChain(new ChainRequest.CaesarAccount(own)), ChainResponse.CaesarAccount.class);
    CaesarTransaction op = build.apply(a.nonce());
    Digest chainId = Digest.of(HexFormat.of().parseHex(a.chainId()));
    byte[] payload = CaesarCodec.encode(op,
        OwnerAuthorization.sign(chainId, op, identity.falconKey(), identity.chain()));
    Map<String, Object> all = new LinkedHashMap<>(extra);
    all.put("nonce", a.nonce());
    return report(node, ChainCommand.expect(node.sendChain(
        new ChainRequest.CaesarSubmit(payload, waitSeconds * 1000L)),
        ChainResponse.Submitted.class), op, own, all);
  }

  static int report(NodeOptions node, ChainResponse.Submitted s, CaesarTransaction op,
      String account, Map<String, Object> extra) {
    ChainResponse.TxStatus status = s.status();
    boolean committed = status.state() == ChainResponse.TxState.COMMITTED;
    boolean refused = status.state() == ChainResponse.TxState.REJECTED
        || committed && !status.reason().isEmpty();
    Map<String, Object> json = ChainCommand.txJson(status);
    json.put("operation", op.getClass().getSimpleName().toLowerCase(Locale.ROOT));
    if (account != null) {
      json.put("account", account);
    }
    json.putAll(extra);
    json.put("applied", committed && !refused);
    if (committed && refused) {
      json.put("failure", status.reason());
    }
    String text = committed && refused
        ? status.transactionId() + " committed at height " + status.height()
            + " but the ledger refused it: " + status.reason()
        : ChainCommand.describe(status);
    AssetCommand.print(node.json, json, text);
    return refused ? HyperMeshCli.EXIT_REJECTED : 0;
  }

  @Command(name = "transfer", description = "Send CAES from this CLI's account to another.")
  static final class Transfer implements Callable<Integer> {
    @Mixin
    Operation op;

    @Option(names = "--to", required = true, paramLabel = "ACCOUNT",
        description = "Recipient account id (64 hex digits).")
    String to;

    @Option(names = "--memo", defaultValue = "", description = "Up to 256 bytes of UTF-8.")
    String memo;

    @Override
    public Integer call() {
      Digest recipient;
      try {
        recipient = Digest.of(HexFormat.of().parseHex(to.toLowerCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new CliException("--to must be an account id of 64 hex digits, not '" + to + "'", 2);
      }
      if (memo.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
          > CaesarCodec.MAX_MEMO_BYTES) {
        throw new CliException("--memo exceeds " + CaesarCodec.MAX_MEMO_BYTES + " bytes", 2);
      }
      long units = units(op.amount);
      return op.run(nonce -> new CaesarTransaction.Transfer(nonce, recipient, units, memo));
    }
  }

  @Command(name = "stake", description = "Bond CAES of this CLI's account as stake.")
  static final class Stake implements Callable<Integer> {
    @Mixin
    Operation op;

    @Override
    public Integer call() {
      long units = units(op.amount);
      return op.run(nonce -> new CaesarTransaction.Bond(nonce, units));
    }
  }

  @Command(name = "unstake", description = "Unbond stake; it returns after the unbonding period.")
  static final class Unstake implements Callable<Integer> {
    @Mixin
    Operation op;

    @Override
    public Integer call() {
      long units = units(op.amount);
      return op.run(nonce -> new CaesarTransaction.Unbond(nonce, units));
    }
  }
}
