package online.hypermesh.protocol.hypermesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.chain.AppliedTransaction;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import org.junit.jupiter.api.Test;

class AssetRulesTest {

  private static final byte[] SENDER = {0x30, 0x00};
  private long nonce;

  private AppliedTransaction committed(long height, TransactionKind kind, byte[] payload, long timestamp) {
    Transaction tx = new Transaction(kind, payload, List.of(SENDER), nonce++, timestamp, null, null, null, null, null);
    return new AppliedTransaction(height, 0, Digest.sha256(new byte[] {(byte) height}), Digest.of(tx.id()), tx);
  }

  private AppliedTransaction registration(long height, String id, String type, String owner, long timestamp) {
    return committed(height, TransactionKind.ASSET_REGISTRATION, AssetRegistrationCodec.encode(
        new AssetRegistration(id, type, 2, owner, "p2p", "operator")), timestamp);
  }

  @Test
  void theFirstCommittedRegistrationWinsAndALaterOneIsRefusedNamingIt() {
    AssetRules rules = new AssetRules(100);
    AppliedTransaction first = registration(5, "gpu-1", "gpu", "user:alice", 1_000);
    AppliedTransaction second = registration(6, "gpu-1", "cpu", "user:bob", 2_000);
    AssetRules.Registered registered = assertInstanceOf(AssetRules.Registered.class, rules.apply(first).orElseThrow());
    assertEquals(new Asset("gpu-1", AssetType.GPU, 2, "user:alice", PrivacyLevel.P2P, 1_000), registered.asset());
    assertEquals(5, registered.height());
    assertEquals(first.id().hex(), registered.transactionId());
    AssetRules.Refused refused = assertInstanceOf(AssetRules.Refused.class, rules.apply(second).orElseThrow());
    assertEquals(AssetResponse.Reason.DUPLICATE, refused.reason());
    assertEquals("asset id gpu-1 is already registered (transaction " + first.id().hex() + " at height 5)", refused.message());
    assertEquals(Optional.of(registered), rules.registered("gpu-1"));
    assertEquals(Optional.of(refused), rules.outcomeOf(second.id().hex()));
    assertEquals(1, rules.size());
    assertEquals(2, rules.applied());
  }

  @Test
  void payloadsThatAreNotValidRegistrationsAreRefusedAndRegisterNothing() {
    AssetRules rules = new AssetRules(100);
    AssetRules.Refused garbage = assertInstanceOf(AssetRules.Refused.class, rules.apply(committed(1,
        TransactionKind.ASSET_REGISTRATION, "smoke-payload".getBytes(StandardCharsets.UTF_8), 1)).orElseThrow());
    assertEquals(AssetResponse.Reason.INVALID, garbage.reason());
    assertTrue(garbage.message().contains("is not an asset registration: unknown asset registration version"), garbage.message());
    AssetRules.Refused quantum = assertInstanceOf(AssetRules.Refused.class,
        rules.apply(registration(2, "q-1", "quantum", "user:alice", 1)).orElseThrow());
    assertTrue(quantum.message().contains("unknown asset type 'quantum'"), quantum.message());
    AssetRules.Refused badOwner = assertInstanceOf(AssetRules.Refused.class,
        rules.apply(registration(3, "q-2", "gpu", "root", 1)).orElseThrow());
    assertTrue(badOwner.message().contains("owner 'root' has an unknown format"), badOwner.message());
    assertEquals(0, rules.size());
    // A refused registration does not reserve the id.
    assertInstanceOf(AssetRules.Registered.class, rules.apply(registration(4, "q-1", "gpu", "user:alice", 1)).orElseThrow());
  }

  @Test
  void otherKindsAreNotTheAssetLayers() {
    AssetRules rules = new AssetRules(100);
    assertEquals(Optional.empty(), rules.apply(committed(1, TransactionKind.TOKEN_TRANSFER,
        AssetRegistrationCodec.encode(new AssetRegistration("a", "gpu", 1, "user:alice", "p2p", "")), 1)));
    assertEquals(0, rules.applied());
  }

  @Test
  void twoNodesApplyingTheSameChainReachTheSameOutcomes() {
    List<AppliedTransaction> chain = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String id = "a-" + (i % 37);
      chain.add(i % 11 == 0
          ? committed(i + 1, TransactionKind.ASSET_REGISTRATION, new byte[] {(byte) i}, i)
          : registration(i + 1, id, i % 5 == 0 ? "bogus" : "cpu", "user:u" + (i % 3), 10_000 + i));
    }
    AssetRules a = new AssetRules(1_000);
    AssetRules b = new AssetRules(1_000);
    List<AssetRules.Outcome> outcomesA = chain.stream().map(tx -> a.apply(tx).orElseThrow()).toList();
    List<AssetRules.Outcome> outcomesB = chain.stream().map(tx -> b.apply(tx).orElseThrow()).toList();
    assertEquals(outcomesA, outcomesB);
    assertEquals(a.size(), b.size());
    assertTrue(a.size() > 0 && a.size() <= 37);
  }

  @Test
  void outcomesAreRememberedUpToTheirBoundButRegistrationsAreNot() {
    AssetRules rules = new AssetRules(2);
    AppliedTransaction first = registration(1, "x-1", "cpu", "user:alice", 1);
    rules.apply(first);
    rules.apply(registration(2, "x-2", "cpu", "user:alice", 1));
    rules.apply(registration(3, "x-3", "cpu", "user:alice", 1));
    assertEquals(Optional.empty(), rules.outcomeOf(first.id().hex()));
    assertTrue(rules.registered("x-1").isPresent());
    assertInstanceOf(AssetRules.Refused.class, rules.apply(registration(4, "x-1", "gpu", "user:bob", 1)).orElseThrow());
  }
}
