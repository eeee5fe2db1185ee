package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import online.hypermesh.protocol.caesar.BridgeEscrow;
import online.hypermesh.protocol.caesar.BridgeLightClient;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.EnvelopeReader;
import online.hypermesh.protocol.caesar.ExecutionAttestation;
import online.hypermesh.protocol.caesar.Ledger;
import online.hypermesh.protocol.caesar.Outcome;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.chain.CaesarGenesis;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.chain.Genesis;
import online.hypermesh.protocol.consensus.chain.GenesisValidator;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionDigest;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
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
import org.junit.jupiter.api.Test;

/**
 * The chain keeper's epoch proofs, on the in-memory journal: a committed, authorized
 * VALIDATOR_SET_CHANGE whose commit is certified at the empty block above it (the epoch's base)
 * is served as a BRIDGE_FOLLOW payload through both headers that another chain's light client
 * follows; epochs 0 and beyond the chain's are refused with their reasons; a restarted keeper
 * (its state already ahead) still serves it; and bridge proofs carry the keeper's attestation
 * only as a validator of the transfer's epoch, under that epoch's signing id.
 */
class ChainKeeperEpochProofTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local\n"
              + "pekko.actor.serialize-messages = on\n"
              + "pekko.persistence.testkit.events.serialize = on\n"))
          .withFallback(ConfigFactory.load()));
  private static final Digest REMOTE =
      Digest.sha256("the other chain".getBytes(StandardCharsets.UTF_8));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private final NodeLocalCa ca = NodeLocalCa.create("keeper epoch CA", Duration.ofDays(1));
  private final List<Identity> validators = new ArrayList<>();
  private final Identity newcomer;
  private final Identity alice = ca.issueIdentity(LeafSpec.of("alice", CertificateRole.CLIENT,
      List.of(), List.of(), Duration.ofDays(1)));
  private final Genesis genesis;
  private long envelopeNonce;

  ChainKeeperEpochProofTest() throws Exception {
    List<GenesisValidator> set = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Identity id = ca.issueIdentity(LeafSpec.of("node-" + i, CertificateRole.NODE, List.of(),
          List.of(InetAddress.getByName("::1")), Duration.ofDays(1)));
      validators.add(id);
      set.add(new GenesisValidator("node-" + i, id.leaf().getEncoded()));
    }
    newcomer = ca.issueIdentity(LeafSpec.of("node-4", CertificateRole.NODE, List.of(),
        List.of(InetAddress.getByName("::1")), Duration.ofDays(1)));
    String admin = account(alice).hex();
    genesis = new Genesis(Digest.sha256("keeper epoch chain".getBytes(StandardCharsets.UTF_8)),
        set, new ChainParameters(0, 0, 32, 1, 1, 1000, 60_000, 5_000), Map.of(), Map.of(),
        Map.of(), System.currentTimeMillis(), "seed".getBytes(StandardCharsets.US_ASCII), 5,
        new CaesarGenesis(new CaesarParameters(0, 0, 3, 0, 0), Map.of(admin, 1_000L), Map.of(),
            0, admin));
  }

  private static Digest account(Identity id) {
    return Digest.of(Accounts.id(id.leaf().getPublicKey()));
  }

  private online.hypermesh.protocol.consensus.bft.Transaction envelope(TransactionKind kind,
      byte[] payload) throws Exception {
    Transaction tx = new Transaction(kind, payload,
        List.of(validators.get(0).leaf().getEncoded()), envelopeNonce++,
        System.currentTimeMillis(), null, null, null, null, null);
    return new online.hypermesh.protocol.consensus.bft.Transaction(
        Digest.of(TransactionDigest.of(tx)), TransactionCodec.encode(tx));
  }

  private online.hypermesh.protocol.consensus.bft.Transaction caesar(CaesarTransaction op)
      throws Exception {
    return envelope(CaesarCodec.kindOf(op), CaesarCodec.encode(op,
        OwnerAuthorization.sign(genesis.chainId(), op, alice.privateKey(), alice.chain())));
  }

  private static Block block(ValidatorSet set, QuorumCert parent, BlockTime parentTime,
      long round, List<online.hypermesh.protocol.consensus.bft.Transaction> txs) {
    return new Block(round, parent.height() + 1, set.leader(round), parent,
        set.timing().next(parentTime, System.currentTimeMillis()), txs);
  }

  /** A QC on {@code block} by the first three of {@code keys}, under {@code set}'s id. */
  private static QuorumCert qc(ValidatorSet set, List<PrivateKey> keys, Block block) {
    VoteData data = VoteData.of(block);
    TreeMap<Integer, byte[]> signatures = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      signatures.put(i, Vote.sign(data, i, new FalconSigner(keys.get(i)),
          set.signingChainId()).signature());
    }
    return new QuorumCert(data, signatures);
  }

  private static ChainKeeper.Committed committed(Block block, QuorumCert childQc) {
    return new ChainKeeper.Committed(Codec.encode(block),
        Codec.encode(new CommitCertificate(childQc)), System.currentTimeMillis());
  }

  private <T extends ChainResponse> T ask(ActorRef<ChainKeeper.Command> keeper, long epoch,
      TestProbe<ChainResponse> probe, Class<T> type) {
    keeper.tell(new ChainKeeper.GetEpochProof(epoch, probe.getRef()));
    return assertInstanceOf(type, probe.receiveMessage());
  }

  @Test
  void aCommittedChangeIsServedAsAFollowProofThatALightClientFollows() throws Exception {
    ValidatorSet set0 = genesis.validatorSet();
    List<PrivateKey> keys0 = validators.stream().map(Identity::privateKey).toList();
    // Validator 0 leaves, the newcomer joins; validators 0, 1 and 2 authorize.
    List<byte[]> keys1 = List.of(set0.publicKey(1), set0.publicKey(2), set0.publicKey(3),
        newcomer.leaf().getPublicKey().getEncoded());
    List<PrivateKey> signers1 = List.of(keys0.get(1), keys0.get(2), keys0.get(3),
        newcomer.privateKey());
    TreeMap<Integer, byte[]> authorization = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      authorization.put(i, EpochChange.sign(set0, keys1, new FalconSigner(keys0.get(i))));
    }
    var change = envelope(TransactionKind.VALIDATOR_SET_CHANGE,
        new EpochChange(keys1, authorization).encode());
    // A kind-9 transaction without a quorum: committed as an ordinary one, never served.
    var weak = envelope(TransactionKind.VALIDATOR_SET_CHANGE,
        new EpochChange(keys1, new TreeMap<>(Map.of(0, authorization.get(0)))).encode());
    var register = caesar(new CaesarTransaction.Register(0, REMOTE, 0, List.of(
        set0.publicKey(0))));
    var lock0 = caesar(new CaesarTransaction.Lock(1, REMOTE, account(alice), 100));

    // Epoch 0: block 1 (register, lock, weak change), block 2 (the change), block 3 empty two
    // rounds later, block 4 its next-round child: QC(4) certifies 3, the epoch's base.
    Block b1 = block(set0, set0.genesisQc(), set0.timing().genesis(), 1,
        List.of(register, lock0, weak));
    QuorumCert q1 = qc(set0, keys0, b1);
    Block b2 = block(set0, q1, b1.time(), 2, List.of(change));
    QuorumCert q2 = qc(set0, keys0, b2);
    Block b3 = block(set0, q2, b2.time(), 4, List.of());
    QuorumCert q3 = qc(set0, keys0, b3);
    Block b4 = block(set0, q3, b3.time(), 5, List.of());
    QuorumCert q4 = qc(set0, keys0, b4);
    ValidatorSet set1 = set0.next(keys1, b3.id(), b3.height(), b3.time());
    // Epoch 1: a lock at height 4 on the base, committed by the new set.
    var lock1 = caesar(new CaesarTransaction.Lock(2, REMOTE, account(alice), 200));
    Block e1 = block(set1, set1.genesisQc(), b3.time(), 1, List.of(lock1));
    QuorumCert qe1 = qc(set1, signers1, e1);
    Block e2 = block(set1, qe1, e1.time(), 2, List.of());
    QuorumCert qe2 = qc(set1, signers1, e2);

    ChainState state = ChainState.genesis(genesis);
    // Node 1: validator 1 in epoch 0, validator 0 in epoch 1.
    ChainKeeper.Settings settings = new ChainKeeper.Settings("node-1", 1, genesis, state, 10, 10,
        10, null, null, null, new FalconSigner(keys0.get(1)), 10);
    ActorRef<ChainKeeper.Command> keeper = testKit.spawn(ChainKeeper.create(settings));
    TestProbe<ChainResponse> probe = testKit.createTestProbe();

    keeper.tell(committed(b1, q2));
    keeper.tell(committed(b2, q4));
    // The change is held until its certified top arrives: no epoch 1 yet.
    ChainResponse.Rejected early = ask(keeper, 1, probe, ChainResponse.Rejected.class);
    assertEquals(ChainResponse.Reason.NOT_FOUND, early.reason());
    assertTrue(early.message().contains("no epoch 1"), early.message());
    keeper.tell(committed(b3, q4));
    keeper.tell(committed(e1, qe2));

    ChainResponse.EpochProof proof = ask(keeper, 1, probe, ChainResponse.EpochProof.class);
    assertEquals(genesis.chainId().hex(), proof.sourceChain());
    assertEquals(change.id().hex(), proof.changeTransaction());
    assertEquals(2, proof.changeHeight());
    assertEquals(3, proof.baseHeight());
    assertEquals(4, proof.validators());
    CaesarTransaction.Follow follow = (CaesarTransaction.Follow)
        ((CaesarCodec.Valid) CaesarCodec.decode(proof.payload())).transaction();
    assertEquals(genesis.chainId(), follow.sourceChain());
    assertEquals(List.of(b2.id(), b3.id()),
        follow.proof().headers().stream().map(h -> h.id()).toList());

    // Another chain's light client of this one follows it, and then knows the new set.
    BridgeLightClient client = new BridgeLightClient(set0, 0, new FalconVerifier(),
        new EnvelopeReader());
    assertEquals(Optional.empty(), client.checkValidatorSet(follow.proof()));
    assertEquals(new Outcome.Applied(1), client.followValidatorSet(follow.proof()));
    assertEquals(set1.signingChainId(), client.validatorSet().signingChainId());
    synchronized (state) {
      assertEquals(set1.signingChainId(), state.validatorSet().signingChainId());
    }

    ChainResponse.Rejected zero = ask(keeper, 0, probe, ChainResponse.Rejected.class);
    assertEquals(ChainResponse.Reason.BAD_REQUEST, zero.reason());
    assertTrue(zero.message().contains("epoch 0 is the genesis set"), zero.message());
    ChainResponse.Rejected two = ask(keeper, 2, probe, ChainResponse.Rejected.class);
    assertEquals(ChainResponse.Reason.NOT_FOUND, two.reason());
    assertTrue(two.message().contains("no epoch 2") && two.message().contains("in epoch 1"),
        two.message());

    // Attestations: the epoch-0 lock as validator 1 under the chain id, the epoch-1 lock as
    // validator 0 of the new set under its signing id.
    keeper.tell(new ChainKeeper.GetBridgeProof(lock0.id().hex(), probe.getRef()));
    CaesarTransaction.Redeem claim0 = redeem(assertInstanceOf(ChainResponse.BridgeProof.class,
        probe.receiveMessage()));
    assertEquals(1, claim0.attestations().get(0).validator());
    assertTrue(ExecutionAttestation.verify(claim0.attestations(), set0, new FalconVerifier(),
        lock0.id(), 1).refusal().detail().startsWith("1 of 1 attestations"));
    keeper.tell(new ChainKeeper.GetBridgeProof(lock1.id().hex(), probe.getRef()));
    CaesarTransaction.Redeem claim1 = redeem(assertInstanceOf(ChainResponse.BridgeProof.class,
        probe.receiveMessage()));
    assertEquals(List.of(0), claim1.attestations().stream().map(a -> a.validator()).toList());
    List<ExecutionAttestation> two1 = new ArrayList<>(claim1.attestations());
    two1.add(ExecutionAttestation.sign(new FalconSigner(signers1.get(1)), 1,
        set1.signingChainId(), lock1.id(), 4));
    BridgeEscrow escrow = new BridgeEscrow(REMOTE, client, new Ledger(
        new CaesarParameters(0, 0, 3, 0, 0), new online.hypermesh.protocol.caesar.Genesis(
            Map.of(), Map.of(), 0, new online.hypermesh.protocol.caesar.BlockTime(0, 0))));
    assertEquals(Optional.empty(), escrow.check(new CaesarTransaction.Redeem(
        claim1.sourceChain(), claim1.recipient(), claim1.amount(), claim1.proof(), two1)));

    // The newcomer's node (no genesis index, its key as attester) attests the epoch-1 lock as
    // validator 3 of the new set, and nothing of epoch 0.
    ChainState newcomerState = ChainState.genesis(genesis);
    ActorRef<ChainKeeper.Command> joined = testKit.spawn(ChainKeeper.create(
        new ChainKeeper.Settings("node-4", -1, genesis, newcomerState, 10, 10, 10, null, null,
            null, new FalconSigner(newcomer.privateKey()), 10)));
    for (ChainKeeper.Committed c : List.of(committed(b1, q2), committed(b2, q4),
        committed(b3, q4), committed(e1, qe2))) {
      joined.tell(c);
    }
    joined.tell(new ChainKeeper.GetBridgeProof(lock1.id().hex(), probe.getRef()));
    CaesarTransaction.Redeem byNewcomer = redeem(assertInstanceOf(
        ChainResponse.BridgeProof.class, probe.receiveMessage()));
    assertEquals(List.of(3), byNewcomer.attestations().stream().map(a -> a.validator()).toList());
    List<ExecutionAttestation> pair = new ArrayList<>(claim1.attestations());
    pair.addAll(byNewcomer.attestations());
    assertEquals(2, ExecutionAttestation.verify(pair, set1, new FalconVerifier(), lock1.id(), 4)
        .value());
    joined.tell(new ChainKeeper.GetBridgeProof(lock0.id().hex(), probe.getRef()));
    assertEquals(List.of(), redeem(assertInstanceOf(ChainResponse.BridgeProof.class,
        probe.receiveMessage())).attestations());

    // A restarted keeper replays its journal into the same state, already in epoch 1.
    testKit.stop(keeper);
    ActorRef<ChainKeeper.Command> again = testKit.spawn(ChainKeeper.create(settings));
    ChainResponse.EpochProof replayed = ask(again, 1, probe, ChainResponse.EpochProof.class);
    assertEquals(proof.changeTransaction(), replayed.changeTransaction());
    assertEquals(3, replayed.baseHeight());
  }

  private static CaesarTransaction.Redeem redeem(ChainResponse.BridgeProof proof) {
    return (CaesarTransaction.Redeem)
        ((CaesarCodec.Valid) CaesarCodec.decode(proof.redeem())).transaction();
  }
}
