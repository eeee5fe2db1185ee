package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.GenesisValidator;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chain keeper alone on the in-memory journal (events serialized through Kryo): committed
 * blocks with real FALCON certificates are applied once and in order, rejections and pending ids
 * answer `chain tx`, and a new incarnation rebuilds the same chain from its journal.
 */
class ChainKeeperTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local\n"
              + "pekko.actor.serialize-messages = on\n"
              + "pekko.persistence.testkit.events.serialize = on\n"))
          .withFallback(ConfigFactory.load()));
  private static final List<Identity> VALIDATORS = new ArrayList<>();
  private static Genesis genesis;

  @BeforeAll
  static void chain() throws Exception {
    NodeLocalCa ca = NodeLocalCa.create("keeper test CA", Duration.ofDays(1));
    List<GenesisValidator> set = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Identity id = ca.issueIdentity(LeafSpec.of("node-" + i, CertificateRole.NODE, List.of(),
          List.of(InetAddress.getByName("::1")), Duration.ofDays(1)));
      VALIDATORS.add(id);
      set.add(new GenesisValidator("node-" + i, id.leaf().getEncoded()));
    }
    byte[] chainId = "keeper test chain id, 32 bytes!!".getBytes(StandardCharsets.US_ASCII);
    genesis = new Genesis(Digest.of(chainId), set,
        new ChainParameters(0, 0, 32, 1, 1, 1000, 60_000, 5_000), Map.of(), Map.of(), Map.of(),
        System.currentTimeMillis(), "seed".getBytes(StandardCharsets.US_ASCII), 5);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Blocks 1..count in consecutive rounds, each with the certificate (from its child's QC) committing it. */
  private static List<ChainKeeper.Committed> blocks(int count) {
    return blocks(count, h -> List.of());
  }

  private static List<ChainKeeper.Committed> blocks(int count,
      java.util.function.IntFunction<List<online.hypermesh.protocol.consensus.bft.Transaction>> transactions) {
    ValidatorSet set = genesis.validatorSet();
    List<Block> built = new ArrayList<>();
    List<QuorumCert> qcs = new ArrayList<>();
    QuorumCert parent = set.genesisQc();
    BlockTime time = set.timing().genesis();
    for (int h = 1; h <= count + 1; h++) {
      time = set.timing().next(time, System.currentTimeMillis());
      Block block = new Block(h, h, set.leader(h), parent, time, transactions.apply(h));
      built.add(block);
      VoteData data = VoteData.of(block);
      TreeMap<Integer, byte[]> signatures = new TreeMap<>();
      for (int i = 0; i < 3; i++) {
        signatures.put(i, Vote.sign(data, i, new FalconSigner(VALIDATORS.get(i).privateKey()),
            genesis.chainId()).signature());
      }
      parent = new QuorumCert(data, signatures);
      qcs.add(parent);
    }
    List<ChainKeeper.Committed> committed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      committed.add(new ChainKeeper.Committed(Codec.encode(built.get(i)),
          Codec.encode(new CommitCertificate(qcs.get(i + 1))), System.currentTimeMillis()));
    }
    return committed;
  }

  private static ActorRef<ChainKeeper.Command> keeper(String node) {
    ChainKeeper.Settings settings = new ChainKeeper.Settings(node, 0, genesis,
        ChainState.genesis(genesis), 2, 10, 100, null, null);
    return testKit.spawn(ChainKeeper.create(settings));
  }

  @Test
  void appliesEachHeightOnceInOrderAndRebuildsFromItsJournal() {
    List<ChainKeeper.Committed> chain = blocks(3);
    ActorRef<ChainKeeper.Command> keeper = keeper("node-a");
    TestProbe<ChainResponse> probe = testKit.createTestProbe();
    keeper.tell(chain.get(0));
    keeper.tell(chain.get(0));
    keeper.tell(chain.get(2)); // ahead of the chain: ignored, not applied out of order
    keeper.tell(new ChainKeeper.GetHead(probe.getRef()));
    assertEquals(1, assertInstanceOf(ChainResponse.Head.class, probe.receiveMessage()).height());
    keeper.tell(chain.get(1));
    keeper.tell(chain.get(2));
    keeper.tell(chain.get(1));
    keeper.tell(new ChainKeeper.GetHead(probe.getRef()));
    ChainResponse.Head head = assertInstanceOf(ChainResponse.Head.class, probe.receiveMessage());
    assertEquals(3, head.height());
    String tip = Codec.decodeBlock(chain.get(2).block()).value().id().hex();
    assertEquals(tip, head.blockId());

    keeper.tell(new ChainKeeper.GetBlock(3, probe.getRef()));
    ChainResponse.Block block = assertInstanceOf(ChainResponse.Block.class, probe.receiveMessage());
    assertEquals(tip, block.blockId());
    assertEquals(List.of(0, 1, 2), block.signers());
    // Two blocks retained: block 1 is pruned, block 9 does not exist.
    keeper.tell(new ChainKeeper.GetBlock(1, probe.getRef()));
    ChainResponse.Rejected pruned = assertInstanceOf(ChainResponse.Rejected.class, probe.receiveMessage());
    assertEquals(ChainResponse.Reason.NOT_FOUND, pruned.reason());
    assertEquals(true, pruned.message().contains("pruned"), pruned.message());
    keeper.tell(new ChainKeeper.GetBlock(9, probe.getRef()));
    assertEquals(true, ((ChainResponse.Rejected) probe.receiveMessage()).message().contains("committed height is 3"));

    String bad = "ab".repeat(32);
    keeper.tell(new ChainKeeper.Rejected(bad, "", "WORK: hashcash has 3 leading zero bits, needs 8", 1));
    String waiting = "cd".repeat(32);
    keeper.tell(new ChainKeeper.Pending(waiting, System.currentTimeMillis()));
    keeper.tell(new ChainKeeper.GetTx(bad, probe.getRef()));
    ChainResponse.TxStatus rejected = assertInstanceOf(ChainResponse.TxStatus.class, probe.receiveMessage());
    assertEquals(ChainResponse.TxState.REJECTED, rejected.state());
    assertEquals("WORK", rejected.proof());
    keeper.tell(new ChainKeeper.GetTx(waiting, probe.getRef()));
    assertEquals(ChainResponse.TxState.PENDING, ((ChainResponse.TxStatus) probe.receiveMessage()).state());
    keeper.tell(new ChainKeeper.GetTx("not hex", probe.getRef()));
    assertEquals(ChainResponse.Reason.BAD_REQUEST, ((ChainResponse.Rejected) probe.receiveMessage()).reason());

    // A new incarnation on the same journal, with a fresh state from genesis, rebuilds the chain.
    testKit.stop(keeper);
    ActorRef<ChainKeeper.Command> again = keeper("node-a");
    again.tell(new ChainKeeper.GetHead(probe.getRef()));
    ChainResponse.Head recovered = assertInstanceOf(ChainResponse.Head.class, probe.receiveMessage());
    assertEquals(3, recovered.height());
    assertEquals(tip, recovered.blockId());
    again.tell(new ChainKeeper.GetTx(bad, probe.getRef()));
    assertEquals(ChainResponse.TxState.REJECTED, ((ChainResponse.TxStatus) probe.receiveMessage()).state());
    again.tell(chain.get(2));
    again.tell(new ChainKeeper.GetValidators(List.of(), probe.getRef()));
    ChainResponse.Validators validators = assertInstanceOf(ChainResponse.Validators.class, probe.receiveMessage());
    assertEquals(4, validators.validators().size());
    assertEquals(3, validators.quorum());
    assertEquals(3, validators.validators().get(0).lastSignedHeight());
    // Validator 3 signed no certificate but proposed block 3 (round 3's leader).
    assertEquals(3, validators.validators().get(3).lastSignedHeight());
    assertEquals(true, validators.validators().stream().allMatch(ChainResponse.ValidatorInfo::live));
  }

  /** A transaction the chain state accepts at apply (proofs are the validators' business, checked before voting). */
  private static online.hypermesh.protocol.consensus.bft.Transaction tx(String payload) {
    var tx = new online.hypermesh.protocol.consensus.proof.Transaction(
        online.hypermesh.protocol.consensus.proof.TransactionKind.ASSET_REGISTRATION,
        payload.getBytes(StandardCharsets.UTF_8), List.of(new byte[] {0x30, 0x00}), 1, 1,
        null, null, null, null, null);
    return new online.hypermesh.protocol.consensus.bft.Transaction(Digest.of(tx.id()),
        online.hypermesh.protocol.consensus.proof.TransactionCodec.encode(tx));
  }

  @Test
  void theApplierGetsEachCommittedTransactionOnceInChainOrder() {
    List<online.hypermesh.protocol.consensus.bft.Transaction> txs = List.of(tx("a"), tx("b"), tx("c"));
    List<ChainKeeper.Committed> chain = blocks(3, h -> h == 1 ? List.of(txs.get(0), txs.get(1))
        : h == 3 ? List.of(txs.get(2), txs.get(0)) : List.of());
    List<String> applied = java.util.Collections.synchronizedList(new ArrayList<>());
    ChainKeeper.Applier applier = list -> list.forEach(t -> applied.add(t.height() + ":" + t.id().hex()));
    ChainState state = ChainState.genesis(genesis);
    ActorRef<ChainKeeper.Command> keeper = testKit.spawn(ChainKeeper.create(new ChainKeeper.Settings("node-applier", 0,
        genesis, state, 10, 10, 100, null, null, applier)));
    TestProbe<ChainResponse> probe = testKit.createTestProbe();
    for (int i : new int[] {0, 0, 1, 2, 1, 2}) {
      keeper.tell(chain.get(i));
    }
    keeper.tell(new ChainKeeper.GetHead(probe.getRef()));
    assertEquals(3, assertInstanceOf(ChainResponse.Head.class, probe.receiveMessage()).height());
    // Block 3 repeats transaction a: the chain state skips it, so the applier never sees it twice.
    List<String> expected = List.of("1:" + txs.get(0).id().hex(), "1:" + txs.get(1).id().hex(), "3:" + txs.get(2).id().hex());
    assertEquals(expected, applied);

    // The keeper restarts over the same state (its supervisor after a journal failure): nothing again.
    testKit.stop(keeper);
    ActorRef<ChainKeeper.Command> sameState = testKit.spawn(ChainKeeper.create(new ChainKeeper.Settings("node-applier", 0,
        genesis, state, 10, 10, 100, null, null, applier)));
    sameState.tell(new ChainKeeper.GetHead(probe.getRef()));
    assertEquals(3, assertInstanceOf(ChainResponse.Head.class, probe.receiveMessage()).height());
    assertEquals(expected, applied);

    // A new process (fresh state from genesis) replays the journal: the layers get the chain once more, in order.
    testKit.stop(sameState);
    List<String> replayed = java.util.Collections.synchronizedList(new ArrayList<>());
    ActorRef<ChainKeeper.Command> fresh = testKit.spawn(ChainKeeper.create(new ChainKeeper.Settings("node-applier", 0,
        genesis, ChainState.genesis(genesis), 10, 10, 100, null, null,
        list -> list.forEach(t -> replayed.add(t.height() + ":" + t.id().hex())))));
    fresh.tell(new ChainKeeper.GetHead(probe.getRef()));
    assertEquals(3, assertInstanceOf(ChainResponse.Head.class, probe.receiveMessage()).height());
    assertEquals(expected, replayed);
  }
}
