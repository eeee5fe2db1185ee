package online.hypermesh.actors.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
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
import online.hypermesh.protocol.consensus.bft.MerkleTree;
import online.hypermesh.protocol.consensus.bft.Signer;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;

/**
 * Builds what a relayer carries to the destination chain from the keeper's retained headers: the
 * headers from the transfer's block up to the one its commit certificate commits (a batch is
 * committed by the certificate of its highest block), the transaction's Merkle path, and this
 * node's {@link ExecutionAttestation}, as an unsigned BRIDGE_REDEEM payload.
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

  static ChainResponse build(Digest chainId, Digest txId, long height, int index,
      NavigableMap<Long, ChainKeeper.Certified> headers, int self, Signer attester) {
    ChainKeeper.Certified at = headers.get(height);
    if (at == null || at.leaves() == null) {
      return notFound("the block at height " + height + " holding transaction " + txId.hex()
          + " is no longer retained by this node");
    }
    CommitCertificate certificate = at.certificate();
    long top = certificate.height();
    if (top - height + 1 > InclusionProof.MAX_HEADERS) {
      return notFound("transaction " + txId.hex() + " at height " + height + " was committed by a "
          + "certificate for height " + top + ": more than " + InclusionProof.MAX_HEADERS
          + " headers to carry");
    }
    List<BlockHeader> chain = new ArrayList<>();
    for (long h = height; h <= top; h++) {
      ChainKeeper.Certified c = headers.get(h);
      if (c == null) {
        return notFound("the header at height " + h + " (between transaction " + txId.hex()
            + "'s block and its certificate) is not retained by this node yet");
      }
      chain.add(c.header());
    }
    Transaction tx = at.transfers().get(index);
    if (tx == null || !tx.id().equals(txId)) {
      return notFound("transaction " + txId.hex() + " is not at index " + index
          + " of the retained block at height " + height);
    }
    InclusionProof proof = new InclusionProof(chain, certificate, tx, index,
        MerkleTree.path(at.leaves(), index));
    Optional<CaesarTransaction> op = new EnvelopeReader().caesar(tx.body());
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
        ? List.of(ExecutionAttestation.sign(attester, self, chainId, txId, height)) : List.of();
    byte[] redeem = CaesarCodec.encode(new CaesarTransaction.Redeem(chainId, recipient, amount,
        proof, attestations));
    return new ChainResponse.BridgeProof(chainId.hex(), txId.hex(), height, direction,
        destination.hex(), recipient.hex(), amount, redeem, attestations.size());
  }

  private static ChainResponse notFound(String why) {
    return new ChainResponse.Rejected(ChainResponse.Reason.NOT_FOUND, why);
  }
}
