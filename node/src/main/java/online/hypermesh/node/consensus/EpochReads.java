package online.hypermesh.node.consensus;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;

/** `chain epoch show`: the epoch in force on this node's committed chain. */
final class EpochReads {

  private static final HexFormat HEX = HexFormat.of();

  private EpochReads() {}

  static ChainResponse.Epoch answer(ChainState state) {
    synchronized (state) {
      Genesis genesis = state.genesisConfig();
      ValidatorSet genesisSet = state.validatorSetOf(0).orElseThrow();
      List<ChainResponse.EpochMember> all = new ArrayList<>();
      for (int i = 0; i < genesisSet.size(); i++) {
        all.add(new ChainResponse.EpochMember(genesis.validators().get(i).name(),
            HEX.formatHex(genesisSet.publicKey(i))));
      }
      ValidatorSet set = state.validatorSet();
      List<ChainResponse.EpochMember> members = new ArrayList<>();
      for (byte[] key : set.publicKeys()) {
        int g = genesisSet.indexOf(key);
        members.add(new ChainResponse.EpochMember(g < 0 ? "" : genesis.validators().get(g).name(),
            HEX.formatHex(key)));
      }
      return new ChainResponse.Epoch(genesis.chainId().hex(), set.epoch(),
          set.signingChainId().hex(), set.genesisHeight() + (set.epoch() == 0 ? 0 : 1),
          set.quorum(), List.copyOf(members), List.copyOf(all));
    }
  }
}
