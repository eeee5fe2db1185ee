package online.hypermesh.protocol.consensus.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.TransactionValidator;
import online.hypermesh.protocol.consensus.bft.Verdict;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.LocationClaim;
import online.hypermesh.protocol.consensus.proof.ProofKind;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.consensus.proof.WorkProof;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The four proofs behind the BFT validator interface, against a live chain state. */
class NKryptTransactionValidatorTest {

  private final ChainFixture f = new ChainFixture();
  private final ChainState state = ChainState.genesis(f.genesis);
  private final NKryptTransactionValidator validator = f.validator(state);
  private final TransactionValidator.BlockContext context =
      new TransactionValidator.BlockContext(1, 1, f.set.genesisId(), 1);

  private Verdict validate(Transaction tx) {
    return validator.validate(ChainFixture.wire(tx), context);
  }

  private static void assertRefused(ProofKind proof, String fragment, Verdict v) {
    assertTrue(v.rejected(), "accepted, expected a " + proof + " refusal");
    assertEquals(proof, NKryptTransactionValidator.proofOf(v.reason()), v.reason());
    assertTrue(v.reason().contains(fragment), "expected '" + fragment + "' in: " + v.reason());
  }

  /** Every step but {@code omitted}, against the genesis tick. */
  private Transaction without(ProofKind omitted) {
    BlockTick ref = f.genesis.genesisTick();
    Transaction tx = f.prover.draft(TransactionKind.ASSET_REGISTRATION,
        "asset".getBytes(StandardCharsets.UTF_8), 7, ref.timestampMillis() + 500, null,
        omitted == ProofKind.TIME ? null : ref.reference(),
        omitted == ProofKind.SPACE ? null : LocationClaim.of(ChainFixture.ADDRESS,
            ChainFixture.REGION));
    if (omitted != ProofKind.STAKE) {
      tx = f.prover.sign(tx);
    }
    tx = f.prover.work(tx);
    if (omitted != ProofKind.SPACE) {
      tx = f.prover.answer(tx, ref.blockHash());
    }
    return omitted == ProofKind.WORK ? tx.withWork(null) : tx;
  }

  @Test
  void aTransactionFromTheProverIsAccepted() {
    Verdict v = validate(f.transfer(f.genesis.genesisTick()));
    assertTrue(v.accepted(), v.reason());
  }

  @ParameterizedTest
  @EnumSource(value = ProofKind.class, names = {"STAKE", "WORK", "SPACE", "TIME"})
  void aMissingProofIsNamed(ProofKind proof) {
    assertRefused(proof, "missing", validate(without(proof)));
  }

  @Test
  void aWrongProofIsNamed() {
    Transaction tx = f.transfer(f.genesis.genesisTick());
    assertRefused(ProofKind.WORK, "", validate(tx.withWork(new WorkProof(tx.work().nonce() + 1))));
    // An unknown tick: nothing committed it.
    BlockTick unknown = new BlockTick(0, 0, new byte[32], new byte[32],
        ChainFixture.GENESIS_TIME);
    assertRefused(ProofKind.TIME, "wrong tick hash", validate(f.transfer(unknown)));
  }

  @Test
  void theEnvelopeMustDecodeAndMatchTheId() {
    Transaction tx = f.transfer(f.genesis.genesisTick());
    var wire = ChainFixture.wire(tx);
    assertRefused(ProofKind.ENVELOPE, "is not the digest", validator.validate(
        new online.hypermesh.protocol.consensus.bft.Transaction(
            Digest.sha256(new byte[] {9}), wire.body()), context));
    assertRefused(ProofKind.ENVELOPE, "not a transaction", validator.validate(
        new online.hypermesh.protocol.consensus.bft.Transaction(wire.id(), new byte[] {1, 2}),
        context));
  }

  @Test
  void aCommittedTransactionIsAReplay() {
    Transaction tx = f.transfer(f.genesis.genesisTick());
    assertTrue(validate(tx).accepted());
    ChainFixture.Chain chain = f.chain(List.of(List.of(tx)));
    state.apply(chain.blocks().get(0), chain.certificates().get(0));
    assertRefused(ProofKind.TIME, "replayed", validate(tx));
  }
}
