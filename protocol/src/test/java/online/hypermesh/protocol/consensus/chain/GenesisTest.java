package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.proof.PlotCommitment;
import org.junit.jupiter.api.Test;

class GenesisTest {

  private final Genesis g = ChainFixture.genesis();

  @Test
  void validatorSetHoldsTheCertificatesKeysInOrder() {
    ValidatorSet set = g.validatorSet();
    assertEquals(4, set.size());
    assertEquals(3, set.quorum());
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(ChainFixture.VALIDATORS.get(i).leaf().getPublicKey().getEncoded(),
          set.publicKey(i));
    }
    assertEquals(ChainFixture.CHAIN_ID, set.chainId());
    assertEquals(2, g.indexOf("validator-2"));
    assertEquals(-1, g.indexOf("nobody"));
    assertArrayEquals(set.genesisId().bytes(), g.genesisTick().blockHash());
  }

  @Test
  void invalidGenesisIsRefusedWithTheReason() {
    String account = HexFormat.of().formatHex(ChainFixture.SENDER_ACCOUNT);
    assertRefused("not an account id", x -> with(Map.of("ABC", 1L), g.plots()));
    assertRefused("not an account id", x -> with(Map.of(account.toUpperCase(), 1L), g.plots()));
    assertRefused("must be >= 0", x -> with(Map.of(account, -1L), g.plots()));
    assertRefused("has 2 leaves", x -> with(g.stakes(),
        Map.of(account, new PlotCommitment(new byte[32], 2))));
    List<GenesisValidator> twice = new ArrayList<>(g.validators());
    twice.set(1, new GenesisValidator("other", g.validators().get(0).certificateDer()));
    assertRefused("repeats another validator's key", x -> new Genesis(g.chainId(), twice,
        g.parameters(), g.stakes(), g.plots(), g.regions(), 0, g.tickSeed(), 1));
    List<GenesisValidator> garbage = new ArrayList<>(g.validators());
    garbage.set(2, new GenesisValidator("validator-2", new byte[] {1, 2, 3}));
    assertRefused("validator 2 (validator-2): certificate does not parse", x -> new Genesis(
        g.chainId(), garbage, g.parameters(), g.stakes(), g.plots(), g.regions(), 0,
        g.tickSeed(), 1));
    assertRefused("ticksPerBlock must be", x -> new Genesis(g.chainId(), g.validators(),
        g.parameters(), g.stakes(), g.plots(), g.regions(), 0, g.tickSeed(), 0));
    assertRefused("must be at least ticksPerBlock 101", x -> new Genesis(g.chainId(),
        g.validators(), g.parameters(), g.stakes(), g.plots(), g.regions(), 0, g.tickSeed(), 101));
    assertRefused("validators, not 0", x -> new Genesis(g.chainId(), List.of(), g.parameters(),
        g.stakes(), g.plots(), g.regions(), 0, g.tickSeed(), 1));
  }

  private Genesis with(Map<String, Long> stakes, Map<String, PlotCommitment> plots) {
    return new Genesis(g.chainId(), g.validators(), g.parameters(), stakes, plots, g.regions(),
        g.genesisTimeMillis(), g.tickSeed(), g.ticksPerBlock());
  }

  private static void assertRefused(String fragment, Function<Void, Genesis> build) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> build.apply(null));
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }
}
