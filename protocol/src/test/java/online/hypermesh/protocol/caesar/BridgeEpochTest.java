package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The light client follows a remote chain's epochs as the chain itself does: only a change
 * authorized by a quorum of the set in force, with the next epoch starting from the block the
 * change's commit certificate certifies and signing under the chain id derived from it.
 */
class BridgeEpochTest {

  private static List<KeyPair> keys;
  private static List<KeyPair> next;

  @BeforeAll
  static void keys() {
    keys = BridgeFixture.keys(4);
    next = BridgeFixture.keys(4);
  }

  private static BridgeLightClient client(BridgeFixture chain) {
    return new BridgeLightClient(chain.set(), 1, new FalconVerifier(), new EnvelopeReader());
  }

  private static Transaction anything(BridgeFixture chain, String text) {
    return chain.envelope(TransactionKind.TOKEN_TRANSFER, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aChangeCommittedThroughAnEmptyBlockStartsTheEpochThere() {
    BridgeFixture chain = new BridgeFixture("epoch chain A", keys);
    BridgeLightClient client = client(chain);
    ValidatorSet set0 = chain.set();
    Block change = chain.append(List.of(chain.validatorSetChange(next)));
    // The change's child came two rounds later: the change commits with the 2-chain above it.
    Block suffix = chain.append(List.of(), 2);
    Block child = chain.append(List.of());
    CommitCertificate cert = new CommitCertificate(chain.qc(child, keys));
    BridgeFixture oldFork = chain.fork();
    assertEquals(new Outcome.Applied(1),
        client.followValidatorSet(InclusionProof.of(List.of(change, suffix), cert, 0)));
    ValidatorSet set1 = client.validatorSet();
    assertEquals(suffix.id(), set1.genesisId());
    assertEquals(ValidatorSet.epochSigningChainId(set0.chainId(), 1, suffix.id()),
        set1.signingChainId());

    // The new validators, from the suffix block on, are followed.
    chain.enterEpoch(next, suffix);
    BridgeFixture.Committed later = chain.commit(List.of(anything(chain, "epoch 1")));
    assertEquals(suffix.height() + 1, later.block().height());
    assertEquals(1, client.verify(later.certificate()).value());
    // The old ones, going on above the suffix, are a stale set.
    BridgeFixture.Committed stale = oldFork.commit(List.of(anything(oldFork, "epoch 0 ghost")));
    LedgerTest.assertRejected(Rejection.STALE_VALIDATOR_SET,
        client.verifyTransfer(stale.proof(0)).refusal());
  }

  @Test
  void aChangeWithoutAQuorumOrWithFullBlocksAboveIsNotFollowed() {
    BridgeFixture chain = new BridgeFixture("epoch chain B", keys);
    BridgeLightClient client = client(chain);
    BridgeFixture.Committed weak = chain.commit(List.of(chain.validatorSetChange(next, 2)));
    Outcome o = client.followValidatorSet(weak.proof(0));
    LedgerTest.assertRejected(Rejection.NOT_A_VALIDATOR_SET_CHANGE, o);
    assertTrue(o.toString().contains("needs a quorum of 3"), o.toString());
    assertEquals(0, client.epoch());

    Block change = chain.append(List.of(chain.validatorSetChange(next)));
    Block full = chain.append(List.of(anything(chain, "above")), 2);
    Block child = chain.append(List.of());
    o = client.followValidatorSet(InclusionProof.of(List.of(change, full),
        new CommitCertificate(chain.qc(child, keys)), 0));
    LedgerTest.assertRejected(Rejection.BAD_INCLUSION_PROOF, o);
    assertTrue(o.toString().contains("carries transactions"), o.toString());
    assertEquals(0, client.epoch());
  }
}
