package online.hypermesh.protocol.consensus.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every proof missing, every proof wrong in each way it can be, and the valid case. */
class NKryptVerifierTest {

  private final ProofFixture f = new ProofFixture();

  static void assertRejected(ProofKind proof, String fragment, Verdict verdict) {
    Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verdict);
    assertEquals(proof, rejected.proof(), rejected.toString());
    assertTrue(rejected.reason().contains(fragment),
        "expected '" + fragment + "' in: " + rejected.reason());
  }

  /** Checks the transaction object and its decoded wire form; both must agree. */
  private void assertVerdict(ProofKind proof, String fragment, Transaction tx) {
    assertRejected(proof, fragment, f.verifier().verify(tx));
    assertRejected(proof, fragment, f.verifier().verify(TransactionCodec.encode(tx)));
  }

  @Test
  void validTransactionPasses() {
    Transaction tx = f.valid();
    assertTrue(f.verifier().verify(tx).isAccepted(), () -> f.verifier().verify(tx).toString());
    assertTrue(f.verifier().verify(TransactionCodec.encode(tx)).isAccepted());
  }

  @ParameterizedTest
  @EnumSource(value = ProofKind.class, names = {"STAKE", "WORK", "SPACE", "TIME"})
  void missingProofIsNamed(ProofKind proof) {
    assertVerdict(proof, "missing", f.without(proof));
  }

  @Test
  void malformedBytesAreAnEnvelopeRejection() {
    byte[] encoded = TransactionCodec.encode(f.valid());
    byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length - 1);
    assertRejected(ProofKind.ENVELOPE, "truncated", f.verifier().verify(truncated));
    assertRejected(ProofKind.ENVELOPE, "no bytes", f.verifier().verify((byte[]) null));
  }

  // PoStake

  @Test
  void signatureOfAnotherTransactionIsRefused() {
    Transaction tx = f.valid().withStake(f.valid().stake());
    assertVerdict(ProofKind.STAKE, "signature does not verify", tx);
  }

  @Test
  void signatureByAnotherKeyIsRefused() {
    Identity other = ProofFixture.node(ProofFixture.CA, "node-2", CertificateRole.NODE);
    Transaction tx = f.valid();
    byte[] forged = online.hypermesh.protocol.crypto.Falcon.sign(other.privateKey(),
        TransactionDigest.signedBytes(TransactionDigest.of(tx)));
    assertVerdict(ProofKind.STAKE, "signature does not verify", tx.withStake(new StakeProof(forged)));
  }

  @Test
  void revokedSenderIsRefused() {
    Transaction tx = f.valid();
    f.revoked.add(f.identity.leaf().getSerialNumber());
    assertVerdict(ProofKind.STAKE, "REVOKED", tx);
  }

  @Test
  void senderFromAnotherAuthorityIsRefused() {
    NodeLocalCa rogue = NodeLocalCa.create("rogue CA", java.time.Duration.ofDays(1));
    ProofFixture rogueNode =
        new ProofFixture(ProofFixture.node(rogue, "node-1", CertificateRole.NODE));
    Transaction tx = rogueNode.valid();
    // Stake, plot and region are all registered for the rogue key: only the chain is wrong.
    assertRejected(ProofKind.STAKE, "UNTRUSTED", rogueNode.verifier().verify(tx));
  }

  @Test
  void clientCertificateIsNotASender() {
    ProofFixture client = new ProofFixture(
        ProofFixture.node(ProofFixture.CA, "cli", CertificateRole.CLIENT));
    assertRejected(ProofKind.STAKE, "WRONG_ROLE", client.verifier().verify(client.valid()));
  }

  @Test
  void stakeBelowMinimumIsRefused() {
    Transaction tx = f.valid();
    f.stakes.put(ProofFixture.key(f.account), ProofFixture.PARAMS.minStake() - 1);
    assertVerdict(ProofKind.STAKE, "below the network minimum", tx);
    f.stakes.remove(ProofFixture.key(f.account));
    assertVerdict(ProofKind.STAKE, "bonded stake 0", tx);
    f.stakes.put(ProofFixture.key(f.account), ProofFixture.PARAMS.minStake());
    assertTrue(f.verifier().verify(tx).isAccepted());
  }

  @Test
  void certificateWithTrailingBytesIsRefused() {
    Transaction tx = f.valid();
    List<byte[]> chain = new ArrayList<>(tx.senderChain());
    byte[] padded = java.util.Arrays.copyOf(chain.get(0), chain.get(0).length + 1);
    chain.set(0, padded);
    Transaction changed = new Transaction(tx.kind(), tx.payload(), chain, tx.nonce(),
        tx.timestampMillis(), null, null, null, tx.space(), tx.time());
    // The chain is in the digest: prove again so that only the chain is wrong.
    changed = f.prover.answer(f.prover.work(f.prover.sign(changed)), f.head().blockHash());
    assertVerdict(ProofKind.STAKE, "not exact DER", changed);
  }

  // PoWork

  @Test
  void insufficientHashcashIsRefused() {
    Transaction tx = f.valid();
    byte[] digest = TransactionDigest.of(tx);
    long bad = 0;
    while (Hashcash.meets(digest, bad, ProofFixture.PARAMS.workDifficulty())) {
      bad++;
    }
    assertVerdict(ProofKind.WORK, "leading zero bits", tx.withWork(new WorkProof(bad)));
  }

  @Test
  void jobResultsAreReExecuted() {
    byte[] jobId = "job-42".getBytes(StandardCharsets.UTF_8);
    byte[] result = MerkleHashes.sha256("the output".getBytes(StandardCharsets.UTF_8));
    Transaction tx = f.prover.prove(TransactionKind.JOB_RESULT, f.payload(), 7,
        f.head().timestampMillis() + 500, new JobClaim(jobId, result), f.head());
    assertTrue(f.verifier(id -> Optional.of(result)).verify(tx).isAccepted());
    byte[] other = MerkleHashes.sha256("another output".getBytes(StandardCharsets.UTF_8));
    assertRejected(ProofKind.WORK, "re-execution of job",
        f.verifier(id -> Optional.of(other)).verify(tx));
    assertRejected(ProofKind.WORK, "cannot be re-executed",
        f.verifier(id -> Optional.empty()).verify(tx));
    assertRejected(ProofKind.WORK, "cannot be re-executed", f.verifier(null).verify(tx));
    assertRejected(ProofKind.WORK, "failed",
        f.verifier(id -> { throw new IllegalStateException("sandbox died"); }).verify(tx));
  }

  @Test
  void jobClaimsBelongToJobResultsOnly() {
    byte[] result = new byte[32];
    Transaction plain = f.prover.prove(TransactionKind.TOKEN_TRANSFER, f.payload(), 8,
        f.head().timestampMillis() + 500, new JobClaim(new byte[] {1}, result), f.head());
    assertVerdict(ProofKind.WORK, "job claim on a TOKEN_TRANSFER", plain);
    Transaction unclaimed = f.prover.prove(TransactionKind.JOB_RESULT, f.payload(), 9,
        f.head().timestampMillis() + 500, null, f.head());
    assertRejected(ProofKind.WORK, "without a job claim",
        f.verifier(id -> Optional.of(result)).verify(unclaimed));
  }

  // PoSpace

  @Test
  void addressNotInTheCertificateIsRefused() {
    TransactionProver liar = new TransactionProver(ProofFixture.PARAMS, f.identity, f.plot,
        LocationClaim.of(ProofFixture.v6("2001:db8::8"), ProofFixture.REGION));
    assertVerdict(ProofKind.SPACE, "does not carry the claimed address", proveWith(liar));
  }

  @Test
  void ipv4MappedAddressIsRefused() {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 1;
    TransactionProver liar = new TransactionProver(ProofFixture.PARAMS, f.identity, f.plot,
        new LocationClaim(mapped, ProofFixture.REGION));
    assertVerdict(ProofKind.SPACE, "not an IPv6 address", proveWith(liar));
  }

  @Test
  void wrongRegionIsRefused() {
    TransactionProver liar = new TransactionProver(ProofFixture.PARAMS, f.identity, f.plot,
        LocationClaim.of(ProofFixture.ADDRESS, "us-east"));
    assertVerdict(ProofKind.SPACE, "registered region is 'eu-west'", proveWith(liar));
    f.regions.clear();
    assertVerdict(ProofKind.SPACE, "no region", f.valid());
  }

  @Test
  void unregisteredOrTooSmallPlotIsRefused() {
    Transaction tx = f.valid();
    f.plots.clear();
    assertVerdict(ProofKind.SPACE, "no plot", tx);
    Plot small = Plot.generate(f.account, 32, ProofFixture.PARAMS.plotLeafBytes());
    f.plots.put(ProofFixture.key(f.account), small.commitment());
    TransactionProver smallProver = new TransactionProver(ProofFixture.PARAMS, f.identity, small,
        LocationClaim.of(ProofFixture.ADDRESS, ProofFixture.REGION));
    assertVerdict(ProofKind.SPACE, "the network needs", proveWith(smallProver));
  }

  @Test
  void openingsOfOtherLeavesAreRefused() {
    Transaction tx = f.valid();
    List<PlotOpening> shifted = new ArrayList<>();
    long[] indices = SpaceChallenge.indices(f.head().blockHash(), TransactionDigest.of(tx),
        tx.work().nonce(), ProofFixture.PLOT_LEAVES, ProofFixture.PARAMS.challengeCount());
    for (long index : indices) {
      shifted.add(f.plot.open((index + 1) % ProofFixture.PLOT_LEAVES));
    }
    Transaction wrong = tx.withSpace(new SpaceProof(tx.space().claim(), shifted));
    assertVerdict(ProofKind.SPACE, "is not the sender's plot data", wrong);
    Transaction short1 = tx.withSpace(
        new SpaceProof(tx.space().claim(), tx.space().openings().subList(0, 3)));
    assertVerdict(ProofKind.SPACE, "opens 3 leaves", short1);
  }

  @Test
  void answerIsBoundToTheWorkNonce() {
    Transaction tx = f.valid();
    byte[] digest = TransactionDigest.of(tx);
    long other = tx.work().nonce() + 1;
    while (!Hashcash.meets(digest, other, ProofFixture.PARAMS.workDifficulty())) {
      other++;
    }
    // Another valid hashcash nonce passes PoWork but asks for other leaves.
    assertVerdict(ProofKind.SPACE, "is not the sender's plot data",
        tx.withWork(new WorkProof(other)));
  }

  @Test
  void tamperedPathIsRefused() {
    Transaction tx = f.valid();
    List<PlotOpening> openings = new ArrayList<>(tx.space().openings());
    PlotOpening last = openings.get(openings.size() - 1);
    List<byte[]> path = last.path();
    byte[] hash = path.get(path.size() - 1);
    hash[0] ^= 1;
    path.set(path.size() - 1, hash);
    openings.set(openings.size() - 1, new PlotOpening(last.leaf(), path));
    Transaction wrong = tx.withSpace(new SpaceProof(tx.space().claim(), openings));
    assertVerdict(ProofKind.SPACE, "WRONG_ROOT", wrong);
    openings.set(openings.size() - 1, new PlotOpening(last.leaf(), path.subList(0, 2)));
    assertVerdict(ProofKind.SPACE, "WRONG_PROOF_LENGTH",
        tx.withSpace(new SpaceProof(tx.space().claim(), openings)));
  }

  @Test
  void plotOfRandomDataFails() {
    // The node registered and stores a tree over random leaves, not its derived plot.
    Plot random = Plot.generate(Pq.randomBytes(32), ProofFixture.PLOT_LEAVES,
        ProofFixture.PARAMS.plotLeafBytes());
    f.plots.put(ProofFixture.key(f.account), random.commitment());
    TransactionProver cheat = new TransactionProver(ProofFixture.PARAMS, f.identity, random,
        LocationClaim.of(ProofFixture.ADDRESS, ProofFixture.REGION));
    assertVerdict(ProofKind.SPACE, "is not the sender's plot data", proveWith(cheat));
  }

  // PoTime

  @Test
  void wrongTickHashIsRefused() {
    BlockTick head = f.head();
    BlockTick fake = new BlockTick(head.height(), head.tickCount(), Pq.randomBytes(32),
        head.blockHash(), head.timestampMillis());
    assertVerdict(ProofKind.TIME, "wrong tick hash", proveAgainst(fake, head.timestampMillis() + 1));
  }

  @Test
  void unknownTicksAreRefused() {
    BlockTick head = f.head();
    BlockTick ahead = new BlockTick(head.height() + 1, head.tickCount() + 10,
        Ticks.advance(head.tickHash(), 10), Pq.randomBytes(32), head.timestampMillis());
    assertVerdict(ProofKind.TIME, "ahead of the head", proveAgainst(ahead, head.timestampMillis()));
    BlockTick between = new BlockTick(head.height(), head.tickCount() - 3,
        Pq.randomBytes(32), head.blockHash(), head.timestampMillis());
    assertVerdict(ProofKind.TIME, "no committed block recorded it",
        proveAgainst(between, head.timestampMillis()));
    f.blocks.clear();
    assertVerdict(ProofKind.TIME, "no blocks yet", proveAgainst(head, head.timestampMillis()));
  }

  @Test
  void staleReferenceIsRefused() {
    BlockTick old = f.blocks.get(5);
    assertVerdict(ProofKind.TIME, "stale", proveAgainst(old, old.timestampMillis() + 1));
    // The oldest block still inside the window is accepted.
    BlockTick edge = f.blocks.get(10);
    assertTrue(f.verifier().verify(proveAgainst(edge, edge.timestampMillis() + 1)).isAccepted());
  }

  @Test
  void timestampsOutsideTheBlockWindowAreRefused() {
    BlockTick head = f.head();
    assertVerdict(ProofKind.TIME, "back-dated", proveAgainst(head, head.timestampMillis() - 1));
    BlockTick older = f.blocks.get(12);
    long late = older.timestampMillis() + ProofFixture.PARAMS.timeWindowMillis() + 1;
    assertVerdict(ProofKind.TIME, "outside the time window", proveAgainst(older, late));
  }

  @Test
  void futureDatedTimestampIsRefused() {
    long future = ProofFixture.NOW.toEpochMilli() + ProofFixture.PARAMS.clockSkewMillis() + 1;
    assertVerdict(ProofKind.TIME, "future-dated", proveAgainst(f.head(), future));
    long edge = ProofFixture.NOW.toEpochMilli() + ProofFixture.PARAMS.clockSkewMillis();
    assertTrue(f.verifier().verify(proveAgainst(f.head(), edge)).isAccepted());
  }

  @Test
  void replayedTransactionIsRefused() {
    Transaction tx = f.valid();
    assertTrue(f.verifier().verify(tx).isAccepted());
    f.seen.add(ProofFixture.key(TransactionDigest.of(tx)));
    assertVerdict(ProofKind.TIME, "replayed", tx);
    // Re-signing does not make it new: the id excludes the signature.
    assertVerdict(ProofKind.TIME, "replayed", f.prover.sign(tx));
  }

  @Test
  void failingStateLookupsAreRejectionsNotExceptions() {
    CommittedState state = f.state();
    CommittedState broken = new CommittedState(
        id -> { throw new IllegalStateException("stake store down"); },
        state.plots(), state.regions(), state.ticks(), state.seen());
    Verdict verdict = new NKryptVerifier(ProofFixture.PARAMS, f.certificates(), broken, null,
        f.clock).verify(f.valid());
    assertRejected(ProofKind.STAKE, "stake store down", verdict);
  }

  private Transaction proveWith(TransactionProver prover) {
    return prover.prove(TransactionKind.TOKEN_TRANSFER, f.payload(), 100,
        f.head().timestampMillis() + 500, null, f.head());
  }

  private Transaction proveAgainst(BlockTick reference, long timestamp) {
    return f.prover.prove(TransactionKind.TOKEN_TRANSFER, f.payload(), 200, timestamp, null,
        reference);
  }
}
