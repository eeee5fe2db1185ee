package online.hypermesh.protocol.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import online.hypermesh.protocol.ProtocolRegistrar;
import online.hypermesh.protocol.serialization.KryoCodec;
import org.junit.jupiter.api.Test;

/** Every chain request and response survives the public API's Kryo codec. */
class ChainMessagesTest {

  private final KryoCodec codec = KryoCodec.of(new ProtocolRegistrar());
  private static final String ID = "ab".repeat(32);

  static List<Object> samples() {
    return List.of(
        new ChainRequest.Head(),
        new ChainRequest.GetBlock(42),
        new ChainRequest.TxStatus(ID),
        new ChainRequest.Validators(),
        new ChainRequest.Head(),
        new ChainResponse.Head("c", "node-1", 7, ID, 1_700_000_000_000L, 9, 3, 12, 40, 100, 2),
        new ChainResponse.Block(7, ID, ID, 9, 1, 1L, List.of(ID), List.of(0, 2, 3), ID),
        new ChainResponse.TxStatus(ID, ChainResponse.TxState.REJECTED, -1, "WORK", "WORK: too few zero bits"),
        new ChainResponse.Validators("c", 3, List.of(
            new ChainResponse.ValidatorInfo(0, "node-1", ID, ID, true, true, 7),
            new ChainResponse.ValidatorInfo(1, "node-2", ID, ID, false, false, -1))),
        new ChainResponse.Submitted(ID, new ChainResponse.TxStatus(ID, ChainResponse.TxState.COMMITTED, 7, "", "")),
        new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND, "no block at height 42"),
        new ChainRequest.CaesarAccount(ID),
        new ChainRequest.CaesarSupply(),
        new ChainRequest.CaesarHistory(ID),
        new ChainResponse.CaesarAccount("c", ID, 1_250_000_000L, 1_700_000_000_000L, 3, 100, 5, 90,
            77),
        new ChainResponse.CaesarSupply("c", 77, 1_700_000_000_000L, 1000, 600, 100, 200, 50, 50,
            0, true),
        new ChainResponse.CaesarHistory(ID, List.of(
            new ChainResponse.CaesarEntry(7, ID, "TOKEN_TRANSFER", ID, ID, 12, "loyer ☕", ""),
            new ChainResponse.CaesarEntry(8, ID, "STAKE_BOND", ID, "", 1, "",
                "INSUFFICIENT_FUNDS: balance after demurrage is 0, below 1"))),
        new ChainRequest.BridgeProof(ID),
        new ChainRequest.BridgeStatus(),
        new ChainResponse.BridgeStatus("c", 77, ID, List.of(
            new ChainResponse.BridgeInfo(ID, 0, 1, 4, "", 1_000, 0, 3, 41),
            new ChainResponse.BridgeInfo("d", 10, 0, 7, "two blocks certified at height 9", 0,
                5, 0, 10))),
        new ChainRequest.EpochProof(2),
        new ChainRequest.Epoch(),
        new ChainResponse.Epoch(ID, 1, ID, 41, 2, List.of(
            new ChainResponse.EpochMember("node-1", "ab"), new ChainResponse.EpochMember("", "cd")),
            List.of(new ChainResponse.EpochMember("node-1", "ab"))));
  }

  @Test
  void everyChainMessageRoundTrips() {
    for (Object sample : samples()) {
      assertEquals(sample, codec.decode(codec.encode(sample)), "round trip of " + sample);
    }
    ChainRequest.Submit submit = new ChainRequest.Submit(new byte[] {1, 2, 3}, "WORK", 5000);
    ChainRequest.Submit back = (ChainRequest.Submit) codec.decode(codec.encode(submit));
    assertArrayEquals(submit.payload(), back.payload());
    assertEquals(submit.breakProof(), back.breakProof());
    assertEquals(submit.waitMillis(), back.waitMillis());
    ChainRequest.CaesarSubmit caesar = new ChainRequest.CaesarSubmit(new byte[] {2, 1}, 30_000);
    ChainRequest.CaesarSubmit caesarBack =
        (ChainRequest.CaesarSubmit) codec.decode(codec.encode(caesar));
    assertArrayEquals(caesar.payload(), caesarBack.payload());
    assertEquals(caesar.waitMillis(), caesarBack.waitMillis());
    ChainRequest.EpochSubmit change = new ChainRequest.EpochSubmit(new byte[] {0, 2, 9}, 8_000);
    ChainRequest.EpochSubmit changeBack =
        (ChainRequest.EpochSubmit) codec.decode(codec.encode(change));
    assertArrayEquals(change.payload(), changeBack.payload());
    assertEquals(change.waitMillis(), changeBack.waitMillis());
    ChainResponse.BridgeProof proof = new ChainResponse.BridgeProof("a", ID, 12, "LOCK", "b", ID,
        1_000, new byte[] {6, 5, 4}, 2);
    ChainResponse.BridgeProof proofBack = (ChainResponse.BridgeProof) codec.decode(
        codec.encode(proof));
    assertArrayEquals(proof.redeem(), proofBack.redeem());
    assertEquals(proof.attestations(), proofBack.attestations());
    assertEquals(proof.recipient(), proofBack.recipient());
    ChainResponse.EpochProof epoch = new ChainResponse.EpochProof("a", 1, ID, 40, 41, 4,
        new byte[] {8, 7});
    ChainResponse.EpochProof epochBack = (ChainResponse.EpochProof) codec.decode(
        codec.encode(epoch));
    assertArrayEquals(epoch.payload(), epochBack.payload());
    assertEquals(List.of(epoch.sourceChain(), epoch.epoch(), epoch.changeTransaction(),
        epoch.changeHeight(), epoch.baseHeight(), epoch.validators()), List.of(
        epochBack.sourceChain(), epochBack.epoch(), epochBack.changeTransaction(),
        epochBack.changeHeight(), epochBack.baseHeight(), epochBack.validators()));
  }

  @Test
  void samplesCoverEveryChainMessage() {
    List<Class<?>> sampled = new java.util.ArrayList<>(samples().stream().<Class<?>>map(Object::getClass).toList());
    sampled.add(ChainRequest.Submit.class);
    sampled.add(ChainRequest.CaesarSubmit.class);
    sampled.add(ChainRequest.EpochSubmit.class);
    sampled.add(ChainResponse.BridgeProof.class);
    sampled.add(ChainResponse.EpochProof.class);
    for (Class<?> root : List.of(ChainRequest.class, ChainResponse.class)) {
      for (Class<?> sub : root.getPermittedSubclasses()) {
        assertTrue(sampled.contains(sub), "no round-trip sample for " + sub.getName());
      }
    }
  }
}
