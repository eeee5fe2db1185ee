package online.hypermesh.actors.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.caesar.CaesarTransaction;
import online.hypermesh.protocol.caesar.EnvelopeReader;
import online.hypermesh.protocol.caesar.ExecutionAttestation;
import online.hypermesh.protocol.caesar.InclusionProof;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.Signer;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;

/**
 * Builds what a relayer carries to the destination chain from the material the keeper retains
 * for each recent lock and burn: the headers from the transfer's block up to the one its commit
 * certificate commits (a batch is committed by the certificate of its highest block), the
 * transaction's Merkle path, and this node's {@link ExecutionAttestation}, as an unsigned
 * BRIDGE_REDEEM payload. Likewise for each committed validator-set change, an unsigned
 * BRIDGE_FOLLOW payload: the change's commit is certified at its top, which is the new epoch's
 * base block, exactly what the other chain's light client wants.
 */
final class BridgeProofs {

  private BridgeProofs() {}

  static boolean isTransfer(TransactionKind kind) {
    return kind == TransactionKind.BRIDGE_LOCK || kind == TransactionKind.BRIDGE_BURN;
  }

  /** Whether a committed body announces a lock or burn (its leaves are then kept). */
  static boolean mayBeTransfer(Transaction tx) {
    return TransactionCodec.peekKind(tx.body()).map(BridgeProofs::isTransfer).orElse(false);
  }

  /** Whether a committed body announces a validator-set change (the chain state decides). */
  static boolean mayBeChange(Transaction tx) {
    return TransactionCodec.peekKind(tx.body())
        .map(k -> k == TransactionKind.VALIDATOR_SET_CHANGE).orElse(false);
  }

  /**
   * What a proof of one committed lock or burn needs, gathered as its blocks are applied: its
   * block's header, the certificate that came with it (it commits this block or a descendant),
   * the headers above up to the certified one, the transaction and its Merkle path. Mutable,
   * owned by the keeper's thread. Whether the ledger applied the transaction is the chain state's
   * to say.
   */
  static final class Material {
    private final CommitCertificate certificate;
    private final Transaction transaction;
    private final int index;
    private final List<Digest> path;
    private final List<BlockHeader> headers = new ArrayList<>();

    Material(BlockHeader header, CommitCertificate certificate, Transaction transaction,
        int index, List<Digest> path) {
      this.certificate = certificate;
      this.transaction = transaction;
      this.index = index;
      this.path = List.copyOf(path);
      headers.add(header);
    }

    /** Whether the headers reach the block the certificate commits. */
    boolean certified() {
      return headers.get(headers.size() - 1).height() >= certificate.height();
    }

    /** Adds the next block's header; true once certified. */
    boolean extend(BlockHeader next) {
      if (!certified() && next.height() == headers.get(headers.size() - 1).height() + 1) {
        headers.add(next);
      }
      return certified();
    }

    long height() {
      return headers.get(0).height();
    }

    Digest transactionId() {
      return transaction.id();
    }
  }

  /**
   * @param set the validator set in force at the transfer's height
   * @param self this node's index in {@code set}, or -1: then no attestation of its own
   */
  static ChainResponse build(Digest chainId, Digest txId, Material m, ValidatorSet set, int self,
      Signer attester) {
    if (!m.certified()) {
      return notFound("transaction " + txId.hex() + " at height " + m.height() + " is committed "
          + "by a certificate for height " + m.certificate.height() + ", whose block this node "
          + "has not applied yet; ask again shortly");
    }
    if (m.headers.size() > InclusionProof.MAX_HEADERS) {
      return notFound("transaction " + txId.hex() + " at height " + m.height() + " was committed "
          + "by a certificate for height " + m.certificate.height() + ": more than "
          + InclusionProof.MAX_HEADERS + " headers to carry");
    }
    long height = m.height();
    InclusionProof proof = new InclusionProof(m.headers, m.certificate, m.transaction, m.index,
        m.path);
    Optional<CaesarTransaction> op = new EnvelopeReader().caesar(m.transaction.body());
    Digest destination;
    Digest recipient;
    long amount;
    String direction;
    if (op.isPresent() && op.get() instanceof CaesarTransaction.Lock l) {
      destination = l.remoteChain();
      recipient = l.recipient();
      amount = l.amount();
      direction = "LOCK";
    } else if (op.isPresent() && op.get() instanceof CaesarTransaction.Burn b) {
      destination = b.remoteChain();
      recipient = b.recipient();
      amount = b.amount();
      direction = "BURN";
    } else {
      return notFound("transaction " + txId.hex() + " is not a CAES lock or burn");
    }
    List<ExecutionAttestation> attestations = self >= 0 && attester != null
        ? List.of(ExecutionAttestation.sign(attester, self, set.signingChainId(), txId, height))
        : List.of();
    byte[] redeem = CaesarCodec.encode(new CaesarTransaction.Redeem(chainId, recipient, amount,
        proof, attestations));
    return new ChainResponse.BridgeProof(chainId.hex(), txId.hex(), height, direction,
        destination.hex(), recipient.hex(), amount, redeem, attestations.size());
  }

  /**
   * The BRIDGE_FOLLOW payload for the change that started {@code next}'s epoch, from the
   * material kept for that change (its certificate commits the epoch's base).
   */
  static ChainResponse buildFollow(Digest chainId, Material m, ValidatorSet next) {
    String what = "the validator-set change " + m.transaction.id().hex() + " at height "
        + m.height() + " (epoch " + next.epoch() + ")";
    if (!m.certified()) {
      return new ChainResponse.Rejected(ChainResponse.Reason.UNAVAILABLE, what + " is committed "
          + "by a certificate for height " + m.certificate.height() + ", whose block this node "
          + "has not applied yet; ask again shortly");
    }
    if (m.headers.size() > InclusionProof.MAX_HEADERS
        || m.certificate.height() != next.genesisHeight()) {
      return new ChainResponse.Rejected(ChainResponse.Reason.UNAVAILABLE, what + " was committed "
          + "by a certificate for height " + m.certificate.height() + ", epoch base "
          + next.genesisHeight() + ": not provable in " + InclusionProof.MAX_HEADERS
          + " headers ending at the base");
    }
    InclusionProof proof = new InclusionProof(m.headers, m.certificate, m.transaction, m.index,
        m.path);
    byte[] payload;
    try {
      payload = CaesarCodec.encode(new CaesarTransaction.Follow(chainId, proof));
    } catch (IllegalArgumentException e) {
      return new ChainResponse.Rejected(ChainResponse.Reason.UNAVAILABLE, what
          + " does not fit one BRIDGE_FOLLOW payload: " + e.getMessage());
    }
    return new ChainResponse.EpochProof(chainId.hex(), next.epoch(), m.transaction.id().hex(),
        m.height(), next.genesisHeight(), next.size(), payload);
  }

  private static ChainResponse notFound(String why) {
    return new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND, why);
  }
}
