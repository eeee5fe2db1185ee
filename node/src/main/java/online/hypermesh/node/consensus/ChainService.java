package online.hypermesh.node.consensus;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import online.hypermesh.actors.consensus.ChainKeeper;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.crypto.CertificateRole;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Answers {@link ChainRequest}s from the node's chain keeper. A node that is not a validator has
 * no commits to keep (its keeper is fed by the local validator) and refuses with UNAVAILABLE
 * naming the validators; forwarding to one is not done yet.
 */
public final class ChainService {

  private final ActorSystem<?> system;
  private final ConsensusNode consensus;

  public ChainService(ActorSystem<?> system, ConsensusNode consensus) {
    this.system = system;
    this.consensus = consensus;
  }

  /** Whether a caller with {@code role} may ask this node to sign and submit. */
  public boolean maySubmit(CertificateRole role) {
    return role != null && consensus.submitRoles().contains(role.unit());
  }

  public List<String> submitRoles() {
    return consensus.submitRoles();
  }

  public CompletionStage<ChainResponse> handle(ChainRequest request) {
    if (!consensus.validator()) {
      List<String> names = consensus.genesis().validators().stream().map(v -> v.name()).toList();
      return CompletableFuture.completedFuture(new ChainResponse.Rejected(
          ChainResponse.Reason.UNAVAILABLE, "this node is not a validator of chain "
              + consensus.genesis().chainId().hex() + " and keeps no chain; ask one of " + names));
    }
    if (!(request instanceof ChainRequest.Epoch)) {
      String retired = consensus.retirement();
      if (retired != null) {
        return CompletableFuture.completedFuture(new ChainResponse.Rejected(
            ChainResponse.Reason.UNAVAILABLE, retired));
      }
    }
    if (request instanceof ChainRequest.Submit submit) {
      return consensus.submitter().submit(submit, consensus.askTimeout());
    }
    if (request instanceof ChainRequest.CaesarSubmit caesar) {
      if (consensus.state().caesar().isEmpty()) {
        return CompletableFuture.completedFuture(new ChainResponse.Rejected(
            ChainResponse.Reason.UNAVAILABLE, "this chain has no CAES"));
      }
      return consensus.submitter().submitCaesar(caesar, consensus.askTimeout());
    }
    if (request instanceof ChainRequest.EpochSubmit epoch) {
      return consensus.submitter().submitEpochChange(epoch, consensus.askTimeout());
    }
    if (request instanceof ChainRequest.Epoch) {
      return CompletableFuture.completedFuture(EpochReads.answer(consensus.state()));
    }
    if (request instanceof ChainRequest.CaesarAccount || request instanceof ChainRequest.CaesarSupply
        || request instanceof ChainRequest.CaesarHistory
        || request instanceof ChainRequest.BridgeStatus) {
      return CompletableFuture.completedFuture(
          CaesarReads.answer(consensus.state(), request, System.currentTimeMillis()));
    }
    return AskPattern.<ChainKeeper.Command, ChainResponse>ask(consensus.keeper(),
        replyTo -> keeperCommand(request, replyTo), consensus.askTimeout(), system.scheduler());
  }

  private static ChainKeeper.Command keeperCommand(ChainRequest request,
      org.apache.pekko.actor.typed.ActorRef<ChainResponse> replyTo) {
    if (request instanceof ChainRequest.GetBlock b) {
      return new ChainKeeper.GetBlock(b.height(), replyTo);
    }
    if (request instanceof ChainRequest.TxStatus t) {
      return new ChainKeeper.GetTx(String.valueOf(t.transactionIdHex()), replyTo);
    }
    if (request instanceof ChainRequest.BridgeProof p) {
      return new ChainKeeper.GetBridgeProof(String.valueOf(p.transactionIdHex()), replyTo);
    }
    if (request instanceof ChainRequest.EpochProof e) {
      return new ChainKeeper.GetEpochProof(e.epoch(), replyTo);
    }
    if (request instanceof ChainRequest.Validators) {
      return new ChainKeeper.GetValidators(List.of(), replyTo);
    }
    return new ChainKeeper.GetHead(replyTo);
  }
}
