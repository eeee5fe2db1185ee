package online.hypermesh.actors.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import online.hypermesh.protocol.caesar.BridgeEscrow;
import online.hypermesh.protocol.caesar.BridgeLightClient;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarParameters;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.EnvelopeReader;
import online.hypermesh.protocol.caesar.ExecutionAttestation;
import online.hypermesh.protocol.caesar.Ledger;
import online.hypermesh.protocol.caesar.OwnerAuthorization;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
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
 * The chain keeper's bridge proofs, on the in-memory journal: a lock committed in a batch (its
 * block arrives with the certificate of its child) is served once the certified block is
 * applied, as headers linked up to that certificate, its Merkle path and the keeper's own
 * execution attestation, and the remote escrow accepts it once f + 1 validators attest; a lock
 * the ledger refused is never served, and says why.
 */
class ChainKeeperBridgeTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      PersistenceTestKitPlugin.getInstance().config()
          .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
          .withFallback(ConfigFactory.parseString("pekko.actor.provider = local\n"
              + "pekko.actor.serialize-messages = on\n"
              + "pekko.persistence.testkit.events.serialize = on\n"))
          .withFallback(ConfigFactory.load()));
  private static final Digest REMOTE =
      Digest.sha256("the remote chain".getBytes(StandardCharsets.UTF_8));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private final NodeLocalCa ca = NodeLocalCa.create("keeper bridge CA", Duration.ofDays(1));
  private final List<Identity> validators = new ArrayList<>();
  private final Identity alice = ca.issueIdentity(LeafSpec.of("alice", CertificateRole.CLIENT,
      List.of(), List.of(), Duration.ofDays(1)));
  private final Genesis genesis;
  private long envelopeNonce;

  ChainKeeperBridgeTest() throws Exception {
    List<GenesisValidator> set = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Identity id = ca.issueIdentity(LeafSpec.of("node-" + i, CertificateRole.NODE, List.of(),
          List.of(InetAddress.getByName("::1")), Duration.ofDays(1)));
      validators.add(id);
      set.add(new GenesisValidator("node-" + i, id.leaf().getEncoded()));
    }
    String admin = account(alice).hex();
    genesis = new Genesis(Digest.sha256("keeper bridge chain".getBytes(StandardCharsets.UTF_8)),
        set, new ChainParameters(0, 0, 32, 1, 1, 1000, 60_000, 5_000), Map.of(), Map.of(),
        Map.of(), System.currentTimeMillis(), "seed".getBytes(StandardCharsets.US_ASCII), 5,
        new CaesarGenesis(new CaesarParameters(0, 0, 3, 0, 0), Map.of(admin, 1_000L), Map.of(),
            0, admin));
  }

  private static Digest account(Identity id) {
    return Digest.of(Accounts.id(id.leaf().getPublicKey()));
  }

  /** An envelope the chain state applies (it re-checks the owner's signature, not the proofs). */
  private online.hypermesh.protocol.consensus.bft.Transaction envelope(CaesarTransaction op)
      throws Exception {
    byte[] payload = CaesarCodec.encode(op, OwnerAuthorization.sign(genesis.chainId(), op,
        alice.privateKey(), alice.chain()));
    Transaction tx = new Transaction(CaesarCodec.kindOf(op), payload,
        List.of(validators.get(0).leaf().getEncoded()), envelopeNonce++,
        System.currentTimeMillis(), null, null, null, null, null);
    return new online.hypermesh.protocol.consensus.bft.Transaction(
        Digest.of(TransactionDigest.of(tx)), TransactionCodec.encode(tx));
  }

  /** Blocks in consecutive rounds; qcs.get(i) is the QC on blocks.get(i). */
  private record Chain(List<Block> blocks, List<QuorumCert> qcs) {}

  private Chain chain(List<List<online.hypermesh.protocol.consensus.bft.Transaction>> txs) {
    ValidatorSet set = genesis.validatorSet();
    List<Block> blocks = new ArrayList<>();
    List<QuorumCert> qcs = new ArrayList<>();
    QuorumCert parent = set.genesisQc();
    BlockTime time = set.timing().genesis();
    for (int h = 1; h <= txs.size(); h++) {
      time = set.timing().next(time, System.currentTimeMillis());
      Block block = new Block(h, h, set.leader(h), parent, time, txs.get(h - 1));
      VoteData data = VoteData.of(block);
      TreeMap<Integer, byte[]> signatures = new TreeMap<>();
      for (int i = 0; i < 3; i++) {
        signatures.put(i, Vote.sign(data, i, new FalconSigner(validators.get(i).privateKey()),
            genesis.chainId()).signature());
      }
      parent = new QuorumCert(data, signatures);
      blocks.add(block);
      qcs.add(parent);
    }
    return new Chain(blocks, qcs);
  }

  private static ChainKeeper.Committed committed(Block block, QuorumCert childQc) {
    return new ChainKeeper.Committed(Codec.encode(block),
        Codec.encode(new CommitCertificate(childQc)), System.currentTimeMillis());
  }

  @Test
  void aLockCommittedInABatchIsServedAsALinkedAttestedProof() throws Exception {
    List<byte[]> remoteKeys = genesis.publicKeys();
    var register = envelope(new CaesarTransaction.Register(0, REMOTE, 0, remoteKeys));
    var lock = envelope(new CaesarTransaction.Lock(1, REMOTE, account(alice), 400));
    var overdraft = envelope(new CaesarTransaction.Lock(2, REMOTE, account(alice), 5_000));
    Chain c = chain(List.of(List.of(register), List.of(lock, overdraft), List.of(), List.of(),
        List.of()));
    ActorRef<ChainKeeper.Command> keeper = testKit.spawn(ChainKeeper.create(
        new ChainKeeper.Settings("node-0", 0, genesis, ChainState.genesis(genesis), 10, 10, 10,
            null, null, null, new FalconSigner(validators.get(0).privateKey()), 10)));
    TestProbe<ChainResponse> probe = testKit.createTestProbe();

    keeper.tell(committed(c.blocks().get(0), c.qcs().get(1)));
    // Block 2 arrives with the certificate committing block 3 (a batch): held until block 3.
    keeper.tell(committed(c.blocks().get(1), c.qcs().get(3)));
    keeper.tell(new ChainKeeper.GetBridgeProof(lock.id().hex(), probe.getRef()));
    ChainResponse.Rejected early = assertInstanceOf(ChainResponse.Rejected.class,
        probe.receiveMessage());
    assertEquals(ChainResponse.Reason.NOT_FOUND, early.reason());
    keeper.tell(committed(c.blocks().get(2), c.qcs().get(3)));

    keeper.tell(new ChainKeeper.GetBridgeProof(lock.id().hex(), probe.getRef()));
    ChainResponse.BridgeProof proof = assertInstanceOf(ChainResponse.BridgeProof.class,
        probe.receiveMessage());
    assertEquals("LOCK", proof.direction());
    assertEquals(2, proof.height());
    assertEquals(400, proof.amountUnits());
    assertEquals(1, proof.attestations());
    CaesarTransaction.Redeem claim = (CaesarTransaction.Redeem)
        ((CaesarCodec.Valid) CaesarCodec.decode(proof.redeem())).transaction();
    assertEquals(2, claim.proof().headers().size(), "headers 2 and 3, certified on 3");
    assertEquals(c.blocks().get(1).id(), claim.proof().headers().get(0).id());

    // The remote chain's escrow of this chain: one attestation of four validators is not
    // enough (f = 1), a second validator's makes it redeemable.
    BridgeEscrow escrow = new BridgeEscrow(REMOTE, new BridgeLightClient(
        genesis.validatorSet(), 0, new FalconVerifier(), new EnvelopeReader()),
        new Ledger(new CaesarParameters(0, 0, 3, 0, 0), new online.hypermesh.protocol.caesar
            .Genesis(Map.of(), Map.of(), 0,
                new online.hypermesh.protocol.caesar.BlockTime(0, 0))));
    assertTrue(escrow.check(claim).map(r -> r.toString().startsWith("NOT_ATTESTED")).orElse(false),
        String.valueOf(escrow.check(claim)));
    List<ExecutionAttestation> two = new ArrayList<>(claim.attestations());
    two.add(ExecutionAttestation.sign(new FalconSigner(validators.get(1).privateKey()), 1,
        genesis.chainId(), lock.id(), 2));
    assertEquals(java.util.Optional.empty(), escrow.check(new CaesarTransaction.Redeem(
        claim.sourceChain(), claim.recipient(), claim.amount(), claim.proof(), two)));

    // The overdraft is committed in the same block but the ledger refused it: no proof.
    keeper.tell(new ChainKeeper.GetBridgeProof(overdraft.id().hex(), probe.getRef()));
    ChainResponse.Rejected refused = assertInstanceOf(ChainResponse.Rejected.class,
        probe.receiveMessage());
    assertTrue(refused.message().contains("the ledger refused it")
        && refused.message().contains("INSUFFICIENT_FUNDS"), refused.message());
    keeper.tell(new ChainKeeper.GetBridgeProof(register.id().hex(), probe.getRef()));
    assertTrue(((ChainResponse.Rejected) probe.receiveMessage()).message()
        .contains("is not a lock or burn"));
  }
}
