package online.hypermesh.node.consensus;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import online.hypermesh.actors.consensus.ChainKeeper;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.protocol.caesar.CaesarCodec;
import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.chain.ChainState;
import online.hypermesh.protocol.consensus.proof.BlockTick;
import online.hypermesh.protocol.consensus.proof.ChainParameters;
import online.hypermesh.protocol.consensus.proof.Hashcash;
import online.hypermesh.protocol.consensus.proof.LocationClaim;
import online.hypermesh.protocol.consensus.proof.Plot;
import online.hypermesh.protocol.consensus.proof.SpaceProof;
import online.hypermesh.protocol.consensus.proof.StakeProof;
import online.hypermesh.protocol.consensus.proof.TimeProof;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionDigest;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.consensus.proof.TransactionProver;
import online.hypermesh.protocol.consensus.proof.WorkProof;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * `chain submit`: the node proves a transaction with its own identity, plot, genesis stake and
 * location ({@link TransactionProver}) against its committed head, hands it to its validator's
 * pool and polls its keeper until the transaction is committed or rejected. A proof can be
 * spoiled on request, so tests and demos can watch the validators name it.
 */
public final class ChainSubmitter {

  private static final Duration POLL = Duration.ofMillis(100);
  /** Of the request timeout, what proving and the reply may take besides the wait. */
  private static final Duration PROVING_SLACK = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final ChainParameters params;
  private final TransactionProver prover;
  private final LocationClaim location;
  private final ChainState state;
  private final ActorRef<ChainKeeper.Command> keeper;
  private final ActorRef<Validator.Command> validator;
  private final SecureRandom random = new SecureRandom();
  private final long tickLag;
  /**
   * The longest a submit waits for its commit: the node answers every STOQ request within
   * hypermesh.stoq.request-timeout, so a longer wait would end in a bare TIMEOUT instead of the
   * transaction's id and status (PENDING), which the client can then follow with `chain tx`.
   */
  private final long maxWaitMillis;

  ChainSubmitter(ActorSystem<?> system, ChainParameters params, StoqIdentity identity, Plot plot,
      LocationClaim location, ChainState state, ActorRef<ChainKeeper.Command> keeper,
      ActorRef<Validator.Command> validator, long tickLag, Duration requestTimeout) {
    this.system = system;
    this.tickLag = tickLag;
    this.maxWaitMillis = Math.max(0, requestTimeout.toMillis() - PROVING_SLACK.toMillis());
    this.params = params;
    this.prover = new TransactionProver(params, new Identity(identity.falconKey(), identity.chain()),
        plot, location);
    this.location = location;
    this.state = state;
    this.keeper = keeper;
    this.validator = validator;
  }

  public CompletionStage<ChainResponse> submit(ChainRequest.Submit request, Duration askTimeout) {
    if (request.payload() == null || request.payload().length > Transaction.MAX_PAYLOAD_BYTES) {
      return done(new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
          "a payload of at most " + Transaction.MAX_PAYLOAD_BYTES + " bytes is required"));
    }
    String spoil = request.breakProof() == null ? "" : request.breakProof().toUpperCase(Locale.ROOT);
    if (!List.of("", "WORK", "STAKE", "SPACE", "TIME").contains(spoil)) {
      return done(new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
          "--break takes WORK, STAKE, SPACE or TIME, not '" + request.breakProof() + "'"));
    }
    if (spoil.equals("WORK") && params.workDifficulty() == 0) {
      return done(new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
          "the chain's work difficulty is 0: every nonce is valid work"));
    }
    long wait = Math.max(0, Math.min(request.waitMillis(), maxWaitMillis));
    return CompletableFuture.supplyAsync(() -> prove(request.payload(), spoil))
        .thenCompose(tx -> submitProven(tx, wait, askTimeout));
  }

  /**
   * `caesar transfer|stake|unstake`: the owner signed {@code payload} (a CaesarCodec encoding
   * with its authorization); this node wraps it in an envelope of the operation's kind with its
   * own four proofs, as for {@link #submit}. Whether the owner's signature holds is the
   * validators' check (a refusal names it); here only the bytes are read, to pick the kind.
   */
  public CompletionStage<ChainResponse> submitCaesar(ChainRequest.CaesarSubmit request,
      Duration askTimeout) {
    if (request.payload() == null || request.payload().length > Transaction.MAX_PAYLOAD_BYTES) {
      return done(new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
          "a CAES payload of at most " + Transaction.MAX_PAYLOAD_BYTES + " bytes is required"));
    }
    if (!(CaesarCodec.decode(request.payload()) instanceof CaesarCodec.Valid valid)) {
      return done(new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
          "not a CAES payload: " + ((CaesarCodec.Malformed) CaesarCodec.decode(request.payload()))
              .reason()));
    }
    TransactionKind kind = CaesarCodec.kindOf(valid.transaction());
    long wait = Math.max(0, Math.min(request.waitMillis(), maxWaitMillis));
    return CompletableFuture.supplyAsync(() -> {
      BlockTick head = reference();
      return prover.prove(kind, request.payload(), random.nextLong(), now(head), null, head);
    }).thenCompose(tx -> submitProven(tx, wait, askTimeout));
  }

  /**
   * `chain epoch submit`: a quorum of the current set signed {@code payload} (an EpochChange);
   * this node wraps it in a VALIDATOR_SET_CHANGE envelope with its own four proofs. Whether the
   * signatures hold is the validators' check, before ordering (a refusal names it).
   */
  public CompletionStage<ChainResponse> submitEpochChange(ChainRequest.EpochSubmit request,
      Duration askTimeout) {
    if (request.payload() == null || EpochChange.decode(request.payload()).isEmpty()) {
      return done(new ChainResponse.Rejected(ChainResponse.Reason.BAD_REQUEST,
          "not a validator-set change (an EpochChange encoding): `chain epoch propose`, `sign`"
              + " and `submit` build one"));
    }
    long wait = Math.max(0, Math.min(request.waitMillis(), maxWaitMillis));
    return CompletableFuture.supplyAsync(() -> {
      BlockTick head = reference();
      return prover.prove(TransactionKind.VALIDATOR_SET_CHANGE, request.payload(),
          random.nextLong(), now(head), null, head);
    }).thenCompose(tx -> submitProven(tx, wait, askTimeout));
  }

  private CompletionStage<ChainResponse> submitProven(Transaction tx, long wait,
      Duration askTimeout) {
    byte[] body = TransactionCodec.encode(tx);
    byte[] id = TransactionDigest.of(tx);
    String hex = java.util.HexFormat.of().formatHex(id);
    keeper.tell(new ChainKeeper.Pending(hex, System.currentTimeMillis()));
    validator.tell(new Validator.Submit(List.of(new Validator.SubmittedTransaction(id, body))));
    return poll(hex, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait), askTimeout);
  }

  /**
   * A validator checks PoTime against its own committed chain, which may be a few blocks behind
   * this node's: reference a block they all have (it stays fresh for the window).
   */
  private BlockTick reference() {
    synchronized (state) {
      return state.tickAt(Math.max(0, state.height() - tickLag)).orElse(state.head());
    }
  }

  private static long now(BlockTick head) {
    return Math.max(System.currentTimeMillis(), head.timestampMillis());
  }

  private Transaction prove(byte[] payload, String spoil) {
    BlockTick head = reference();
    long nonce = random.nextLong();
    long now = now(head);
    if (spoil.equals("TIME")) {
      byte[] wrong = new byte[TimeProof.HASH_BYTES];
      random.nextBytes(wrong);
      Transaction draft = prover.draft(TransactionKind.ASSET_REGISTRATION, payload, nonce, now,
          null, new TimeProof(head.tickCount(), wrong), location);
      return prover.answer(prover.work(prover.sign(draft)), head.blockHash());
    }
    Transaction tx = prover.prove(TransactionKind.ASSET_REGISTRATION, payload, nonce, now, null, head);
    switch (spoil) {
      case "WORK" -> {
        byte[] digest = TransactionDigest.of(tx);
        long bad = tx.work().nonce() + 1;
        while (Hashcash.meets(digest, bad, params.workDifficulty())) {
          bad++;
        }
        return tx.withWork(new WorkProof(bad));
      }
      case "STAKE" -> {
        byte[] signature = tx.stake().signature();
        signature[signature.length / 2] ^= 0x01;
        return tx.withStake(new StakeProof(signature));
      }
      case "SPACE" -> {
        return tx.withSpace(new SpaceProof(tx.space().claim(), List.of()));
      }
      default -> {
        return tx;
      }
    }
  }

  private CompletionStage<ChainResponse> poll(String id, long deadlineNanos, Duration askTimeout) {
    return AskPattern.<ChainKeeper.Command, ChainResponse>ask(keeper,
            replyTo -> new ChainKeeper.GetTx(id, replyTo), askTimeout, system.scheduler())
        .thenCompose(reply -> {
          if (reply instanceof ChainResponse.TxStatus status
              && (status.state() == ChainResponse.TxState.COMMITTED
                  || status.state() == ChainResponse.TxState.REJECTED
                  || System.nanoTime() >= deadlineNanos)) {
            return done(new ChainResponse.Submitted(id, status));
          }
          if (!(reply instanceof ChainResponse.TxStatus)) {
            return done(reply);
          }
          return CompletableFuture.supplyAsync(() -> null,
                  CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS))
              .thenCompose(ignored -> poll(id, deadlineNanos, askTimeout));
        });
  }

  private static CompletionStage<ChainResponse> done(ChainResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
