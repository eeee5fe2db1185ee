package online.hypermesh.node.consensus;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import online.hypermesh.protocol.caesar.AccountView;
import online.hypermesh.protocol.caesar.Supply;
import online.hypermesh.protocol.caesar.Unbonding;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.chain.CaesarState;
import online.hypermesh.protocol.consensus.chain.ChainState;

/**
 * `caesar balance|supply|history` and `caesar bridge status` from this node's committed state (read under the state's
 * monitor, which the chain keeper holds while it applies). Balances carry the demurrage as of
 * {@code nowMillis}, never before the last committed block's time.
 */
final class CaesarReads {

  private CaesarReads() {}

  static ChainResponse answer(ChainState state, ChainRequest request, long nowMillis) {
    synchronized (state) {
      if (state.caesar().isEmpty()) {
        return new ChainResponse.Rejected(ChainResponse.Reason.UNAVAILABLE, "chain "
            + state.genesisConfig().chainId().hex() + " has no CAES (its genesis has no caesar "
            + "section)");
      }
      CaesarState caesar = state.caesar().get();
      long asOf = Math.max(nowMillis, caesar.clock().millis());
      String chainId = state.genesisConfig().chainId().hex();
      if (request instanceof ChainRequest.CaesarSupply) {
        Supply s = caesar.supply(asOf);
        return new ChainResponse.CaesarSupply(chainId, state.height(), s.asOfMillis(), s.genesis(),
            s.balances(), s.rewardPool(), s.bonded(), s.unbonding(), s.bridgedOut(),
            s.bridgedIn(), s.holds());
      }
      if (request instanceof ChainRequest.BridgeStatus) {
        List<ChainResponse.BridgeInfo> bridges = new ArrayList<>();
        for (CaesarState.BridgeView b : caesar.bridges()) {
          bridges.add(new ChainResponse.BridgeInfo(b.remoteChain().hex(), b.trustedFromHeight(),
              b.epoch(), b.validators(), b.frozen(), b.locked(), b.minted(), b.redeemed(),
              b.epochFromHeight()));
        }
        return new ChainResponse.BridgeStatus(chainId, state.height(),
            caesar.bridgeAdmin().map(Digest::hex).orElse(""), List.copyOf(bridges));
      }
      String hex = request instanceof ChainRequest.CaesarAccount a ? a.accountHex()
          : ((ChainRequest.CaesarHistory) request).accountHex();
      Digest account = account(hex);
      if (account == null) {
        return new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
            "an account id is 64 hex digits (SHA-256 of the owner's public key), not '" + hex
                + "'");
      }
      if (request instanceof ChainRequest.CaesarAccount) {
        AccountView v = caesar.account(account, asOf).orElse(null);
        if (v == null) {
          return new ChainResponse.CaesarAccount(chainId, account.hex(), 0, asOf, 0, 0, 0, -1,
              state.height());
        }
        long unbonding = v.unbonding().stream().mapToLong(Unbonding::amount).sum();
        long release = v.unbonding().isEmpty() ? -1 : v.unbonding().get(0).releaseHeight();
        return new ChainResponse.CaesarAccount(chainId, account.hex(), v.balance(),
            v.asOfMillis(), v.nonce(), v.bonded(), unbonding, release, state.height());
      }
      List<ChainResponse.CaesarEntry> entries = new ArrayList<>();
      for (CaesarState.HistoryEntry e : caesar.history(account)) {
        entries.add(new ChainResponse.CaesarEntry(e.height(), e.transactionId().hex(),
            e.kind().name(), e.owner().hex(), e.counterparty() == null ? "" : e.counterparty().hex(),
            e.amount(), e.memo(), e.failure()));
      }
      return new ChainResponse.CaesarHistory(account.hex(), List.copyOf(entries));
    }
  }

  private static Digest account(String hex) {
    if (hex == null || hex.length() != 2 * Digest.LENGTH) {
      return null;
    }
    try {
      return Digest.of(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
