package online.hypermesh.protocol.consensus.bft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * One validator's consensus state machine (2-chain HotStuff / Jolteon): {@link #handle} takes an
 * {@link Input} and returns a {@link Step}. No threads, clocks, randomness or I/O: the same inputs
 * in the same order give the same steps, which is what lets a host event-source it and lets tests
 * replay schedules. Not thread-safe; one owner drives it.
 *
 * <p>Signing decisions go through {@link SafetyRules}; the state they change comes back in
 * {@link Step#persist()}. Everything else here (collected votes, the block tree, the pool) is
 * volatile and rebuilt from the network after a restart.
 */
public final class BftCore {

  private record Pending(int from, Proposal proposal) {}

  private final BftConfig config;
  private final ValidatorSet set;
  private final int self;
  private final Signer signer;
  private final SignatureVerifier verifier;
  private final TransactionValidator transactions;
  /** Wall-clock milliseconds: block timestamps are stamped and checked with it, nothing else. */
  private final LongSupplier clock;
  private final EpochBoundary boundary;
  /** Set once a committed block ended the epoch: every later input is ignored. */
  private boolean halted;

  private SafetyState safety;
  private long round;
  private QuorumCert highQc;
  private TimeoutCert highTc;
  private CommittedTip tip;

  private final Map<Digest, Block> blocks = new HashMap<>();
  private final ArrayDeque<Block> committedWindow = new ArrayDeque<>();
  private final Map<Digest, Boolean> verifiedCerts = bounded(4096);
  private final Map<Digest, Boolean> endsEpochCache = bounded(1024);
  private final TreeMap<Long, Proposal> proposals = new TreeMap<>();
  private final TreeMap<Long, Map<Integer, Vote>> votes = new TreeMap<>();
  private final TreeMap<Long, Map<Integer, Timeout>> timeouts = new TreeMap<>();
  private final Map<Digest, List<Pending>> waitingForParent = new HashMap<>();
  private final LinkedHashMap<Digest, Integer> wanted = new LinkedHashMap<>();
  /** (round, offender, kind): one piece of evidence each, however often the offence repeats. */
  private final Set<List<Long>> reportedEquivocations = new HashSet<>();
  private QuorumCert commitQc;
  /** The block this leader must fetch before it can propose (its parent's time), or null. */
  private Digest proposalAwaits;
  /** The round whose proposal waits for transactions (idle leader), or 0. */
  private long deferredProposal;
  private final LinkedHashMap<Digest, Transaction> pool = new LinkedHashMap<>();
  /**
   * The pool's transactions that this validator's own submitters handed it: shared with the other
   * validators at once, and again on every round timeout until committed (a share can be lost).
   */
  private final Set<Digest> local = new java.util.LinkedHashSet<>();
  private final Map<Digest, Boolean> recentlyCommitted;

  private final ArrayDeque<ConsensusMessage> toSelf = new ArrayDeque<>();
  private List<Output> out = new ArrayList<>();
  private SafetyState persistPending;

  private BftCore(BftConfig config, ValidatorSet set, int self, Signer signer,
      SignatureVerifier verifier, TransactionValidator transactions, SafetyState safety,
      CommittedTip tip, LongSupplier clock, EpochBoundary boundary) {
    if (set.size() < 2) {
      throw new IllegalArgumentException("BFT needs at least 2 validators");
    }
    if (!set.contains(self)) {
      throw new IllegalArgumentException("validator " + self + " is not in the set");
    }
    this.config = config;
    this.set = set;
    this.self = self;
    this.signer = signer;
    this.verifier = verifier;
    this.transactions = transactions;
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
    this.boundary = java.util.Objects.requireNonNull(boundary, "boundary");
    this.safety = safety;
    this.tip = tip;
    this.highQc = safety.highQc();
    this.highTc = safety.highTc();
    this.recentlyCommitted = bounded(Math.max(1, config.recentTransactionMemory()));
    long r = Math.max(1, Math.max(safety.lastVotedRound(), highQc.round() + 1));
    if (highTc != null) {
      r = Math.max(r, highTc.round() + 1);
    }
    this.round = r;
  }

  /**
   * A validator starting a new chain from genesis. {@code clock} gives wall-clock milliseconds
   * for block timestamps ({@link BlockTiming}); a simulation passes its virtual time.
   */
  public static BftCore create(BftConfig config, ValidatorSet set, int self, Signer signer,
      SignatureVerifier verifier, TransactionValidator transactions, LongSupplier clock) {
    return create(config, set, self, signer, verifier, transactions, clock, EpochBoundary.NEVER);
  }

  /**
   * A validator starting {@code set}'s epoch (the chain's genesis in epoch 0, the base block of a
   * later epoch); {@code boundary} says which committed block ends it ({@link Output.EpochEnded}).
   */
  public static BftCore create(BftConfig config, ValidatorSet set, int self, Signer signer,
      SignatureVerifier verifier, TransactionValidator transactions, LongSupplier clock,
      EpochBoundary boundary) {
    return new BftCore(config, set, self, signer, verifier, transactions,
        SafetyState.initial(set), CommittedTip.genesis(set), clock, boundary);
  }

  /**
   * A validator resuming after a crash from its last persisted {@link SafetyState} and its highest
   * committed block. Blocks it lacks are fetched from peers when needed.
   */
  public static BftCore restore(BftConfig config, ValidatorSet set, int self, Signer signer,
      SignatureVerifier verifier, TransactionValidator transactions, SafetyState persisted,
      CommittedTip tip, LongSupplier clock) {
    return new BftCore(config, set, self, signer, verifier, transactions, persisted, tip, clock,
        EpochBoundary.NEVER);
  }

  /** {@link #restore} within an epoch that {@code boundary} may end. */
  public static BftCore restore(BftConfig config, ValidatorSet set, int self, Signer signer,
      SignatureVerifier verifier, TransactionValidator transactions, SafetyState persisted,
      CommittedTip tip, LongSupplier clock, EpochBoundary boundary) {
    return new BftCore(config, set, self, signer, verifier, transactions, persisted, tip, clock,
        boundary);
  }

  /** The first step after create or restore: arms the round timer, proposes if leader. */
  public Step start() {
    if (halted) {
      return finish();
    }
    out.add(new Output.SetTimer(round, timeoutFor(round)));
    if (set.leader(round) == self) {
      propose(false);
    }
    drainSelf();
    return finish();
  }

  public Step handle(Input input) {
    if (halted) {
      return finish();
    }
    if (input instanceof Input.Received r) {
      if (r.from() != self && set.contains(r.from())) {
        receive(r.from(), r.message());
      }
    } else if (input instanceof Input.TimerExpired t) {
      onTimer(t.round());
    } else if (input instanceof Input.ProposalDue d) {
      if (d.round() == round && deferredProposal == round && set.leader(round) == self) {
        deferredProposal = 0;
        propose(true);
      }
    } else if (input instanceof Input.SubmitTransactions s) {
      List<Transaction> added = submit(s.transactions(), true);
      if (!added.isEmpty()) {
        out.add(new Output.Broadcast(new TransactionShare(added)));
      }
      if (deferredProposal == round && !pool.isEmpty()) {
        deferredProposal = 0;
        propose(true);
      }
    }
    drainSelf();
    return finish();
  }

  public long round() {
    return round;
  }

  /** Whether a committed block ended this core's epoch (it then ignores every input). */
  public boolean halted() {
    return halted;
  }

  public ValidatorSet validatorSet() {
    return set;
  }

  public QuorumCert highQc() {
    return highQc;
  }

  /** The highest TC held, or null. */
  public TimeoutCert highTc() {
    return highTc;
  }

  public SafetyState safety() {
    return safety;
  }

  /** This validator's index in the set. */
  public int self() {
    return self;
  }

  public CommittedTip committedTip() {
    return tip;
  }

  public int pooledTransactions() {
    return pool.size();
  }

  /**
   * The pooled transactions this validator's own submitters handed it, oldest first: what a host
   * hands the next epoch's core when this one ends (the ended core never orders them).
   */
  public List<Transaction> localTransactions() {
    List<Transaction> mine = new ArrayList<>();
    for (Digest id : local) {
      Transaction tx = pool.get(id);
      if (tx != null) {
        mine.add(tx);
      }
    }
    return mine;
  }

  // ---------------------------------------------------------------- plumbing

  private Step finish() {
    Step step = new Step(persistPending, out);
    out = new ArrayList<>();
    persistPending = null;
    return step;
  }

  private void persist(SafetyState next) {
    safety = next;
    persistPending = next;
  }

  private void send(int to, ConsensusMessage message) {
    if (to == self) {
      toSelf.add(message);
    } else {
      out.add(new Output.Send(to, message));
    }
  }

  private void broadcast(ConsensusMessage message) {
    out.add(new Output.Broadcast(message));
    toSelf.add(message);
  }

  /** Own messages are handled after the current one, not recursively, to keep steps flat. */
  private void drainSelf() {
    ConsensusMessage m;
    while (!halted && (m = toSelf.poll()) != null) {
      receive(self, m);
    }
  }

  private void reject(int from, String reason) {
    out.add(new Output.MessageRejected(from, reason));
  }

  private void receive(int from, ConsensusMessage message) {
    if (halted) {
      return;
    }
    if (message instanceof Proposal p) {
      onProposal(from, p);
    } else if (message instanceof Vote v) {
      onVote(from, v);
    } else if (message instanceof Timeout t) {
      onTimeout(from, t);
    } else if (message instanceof BlockRequest q) {
      onBlockRequest(from, q);
    } else if (message instanceof BlockResponse s) {
      onBlockResponse(from, s);
    } else if (message instanceof TransactionShare t) {
      if (from != self) {
        submit(t.transactions(), false);
      }
    }
  }

  private long timeoutFor(long r) {
    long sinceQc = Math.max(0, r - highQc.round() - 1);
    return config.baseTimeoutMillis() << Math.min(sinceQc, config.maxBackoffExponent());
  }

  // ---------------------------------------------------------------- rounds

  private void enterRound(long r) {
    if (halted) {
      return;
    }
    round = r;
    votes.headMap(r - 1).clear();
    timeouts.headMap(r).clear();
    proposals.headMap(r - 1).clear();
    reportedEquivocations.removeIf(key -> key.get(0) < r - 1);
    waitingForParent.values().removeIf(list -> {
      list.removeIf(p -> p.proposal().round() < r);
      return list.isEmpty();
    });
    out.add(new Output.SetTimer(r, timeoutFor(r)));
    if (set.leader(r) == self) {
      propose(false);
    }
  }

  private void observeQc(QuorumCert qc, int from) {
    if (qc.round() > highQc.round()) {
      highQc = qc;
    }
    VoteData d = qc.data();
    if (d.commitsParent() && d.height() - 1 >= tip.height()) {
      if (d.height() - 1 == tip.height()) {
        if (!d.parentId().equals(tip.id())) {
          fault("QC of round " + d.round() + " commits " + d.parentId() + " at height "
              + tip.height() + " where " + tip.id() + " is committed");
        }
      } else if (commitQc == null || d.height() > commitQc.height()) {
        commitQc = qc;
        tryCommit();
      }
    }
    if (halted) {
      return;
    }
    if (qc.round() + 1 > round) {
      enterRound(qc.round() + 1);
    }
  }

  private void observeTc(TimeoutCert tc) {
    highTc = SafetyRules.higher(highTc, tc);
    if (tc.round() + 1 > round) {
      enterRound(tc.round() + 1);
    }
  }

  private Verdict verifyQc(QuorumCert qc) {
    if (qc.isGenesis(set)) {
      return Verdict.accept();
    }
    Digest key = qc.digest();
    if (verifiedCerts.containsKey(key)) {
      return Verdict.accept();
    }
    Verdict v = qc.verify(set, verifier);
    if (v.accepted()) {
      verifiedCerts.put(key, Boolean.TRUE);
    }
    return v;
  }

  private Verdict verifyTc(TimeoutCert tc) {
    Digest key = tc.digest();
    if (verifiedCerts.containsKey(key)) {
      return Verdict.accept();
    }
    Verdict v = tc.verify(set, verifier);
    if (v.accepted()) {
      verifiedCerts.put(key, Boolean.TRUE);
    }
    return v;
  }

  // ---------------------------------------------------------------- proposals and votes

  private void propose(boolean evenIfIdle) {
    if (halted || SafetyRules.canPropose(safety, round).rejected()) {
      return;
    }
    if (!evenIfIdle && config.idleProposalDelayMillis() > 0 && pool.isEmpty()
        && !somethingToCommit(highQc.blockId())) {
      deferredProposal = round;
      out.add(new Output.SetProposalTimer(round, config.idleProposalDelayMillis()));
      return;
    }
    TimeoutCert tc = null;
    if (highQc.round() + 1 != round) {
      if (highTc == null || highTc.round() + 1 != round || highQc.round() < highTc.highestQcRound()) {
        return;
      }
      tc = highTc;
    }
    BlockTime parent = timeOf(highQc.blockId());
    if (parent == null) {
      // A QC on a block this leader never received (or a restart): fetch it, then propose.
      proposalAwaits = highQc.blockId();
      want(highQc.blockId(), highQc.signatures().isEmpty() ? nextPeer(self)
          : highQc.signatures().firstKey());
      return;
    }
    BlockTime time = set.timing().next(parent, clock.getAsLong());
    // Above an uncommitted block that ends the epoch only empty blocks get votes (see vote).
    List<Transaction> batch = endingAtOrBelow(highQc.blockId()) == Boolean.FALSE
        ? selectBatch() : List.of();
    Block block = new Block(round, highQc.height() + 1, self, highQc, time, batch);
    Proposal proposal = Proposal.sign(block, tc, signer, set.signingChainId());
    proposals.put(round, proposal);
    addBlock(block);
    // The own vote is what persists lastVotedRound: no vote, no proposal, so a restart cannot
    // propose a second block for this round.
    if (vote(block, tc)) {
      out.add(new Output.Broadcast(proposal));
    }
  }

  private List<Transaction> selectBatch() {
    List<Transaction> batch = new ArrayList<>();
    if (config.maxBatchTransactions() == 0 || pool.isEmpty()) {
      return batch;
    }
    Set<Digest> pending = transactionsAbove(highQc.blockId());
    var context = new TransactionValidator.BlockContext(
        round, highQc.height() + 1, highQc.blockId(), self);
    Iterator<Transaction> it = pool.values().iterator();
    long bytes = 0;
    while (it.hasNext() && batch.size() < config.maxBatchTransactions()) {
      Transaction tx = it.next();
      if (pending.contains(tx.id())) {
        continue;
      }
      if (bytes + tx.body().length > config.maxBatchBytes()) {
        // Later, smaller transactions may still fit; this one waits for the next block.
        continue;
      }
      Verdict v = transactions.validate(tx, context);
      if (v.rejected()) {
        out.add(new Output.TransactionRejected(tx.id(), null, v.reason()));
        it.remove();
        local.remove(tx.id());
        continue;
      }
      batch.add(tx);
      bytes += tx.body().length;
    }
    return batch;
  }

  /**
   * Whether uncommitted blocks below {@code id} hold transactions (or are unknown here), or the
   * highest QC just committed a block with transactions that the others learn of only from the
   * next proposal.
   */
  private boolean somethingToCommit(Digest id) {
    if (highQc.data().parentId().equals(tip.id()) && highQc.data().commitsParent()) {
      Block justCommitted = blocks.get(tip.id());
      if (justCommitted != null && !justCommitted.transactions().isEmpty()) {
        return true;
      }
    }
    Digest cur = id;
    for (int guard = 0; guard < 10_000 && !cur.equals(tip.id()); guard++) {
      Block b = blocks.get(cur);
      if (b == null) {
        return true;
      }
      if (b.height() <= tip.height()) {
        return false;
      }
      if (!b.transactions().isEmpty()) {
        return true;
      }
      cur = b.parentId();
    }
    return false;
  }

  /** Ids of transactions in known blocks from {@code id} down to the committed tip. */
  private Set<Digest> transactionsAbove(Digest id) {
    Set<Digest> ids = new HashSet<>();
    Digest cur = id;
    for (int guard = 0; guard < 10_000 && !cur.equals(tip.id()); guard++) {
      Block b = blocks.get(cur);
      if (b == null || b.height() <= tip.height()) {
        break;
      }
      for (Transaction tx : b.transactions()) {
        ids.add(tx.id());
      }
      cur = b.parentId();
    }
    return ids;
  }

  private void onProposal(int from, Proposal p) {
    Block b = p.block();
    Proposal first = proposals.get(b.round());
    if (first != null) {
      if (!first.block().id().equals(b.id()) && first.block().proposer() == b.proposer()
          && p.verifySignature(set, verifier).accepted()
          && reportedEquivocations.add(List.of(b.round(), (long) b.proposer(), 0L))) {
        out.add(new Output.EquivocationDetected(new Evidence.ConflictingProposals(first, p)));
      }
      return;
    }
    if (b.round() < round) {
      return;
    }
    Verdict shape = b.checkShape(set, config.maxBatchTransactions(), config.maxBatchBytes());
    if (shape.rejected()) {
      reject(from, "proposal: " + shape.reason());
      return;
    }
    if (b.proposer() != set.leader(b.round())) {
      reject(from, "proposal by " + b.proposer() + " who does not lead round " + b.round());
      return;
    }
    TimeoutCert tc = p.tc();
    boolean direct = b.qc().round() + 1 == b.round();
    if (direct ? tc != null : tc == null || tc.round() + 1 != b.round()) {
      reject(from, "proposal for round " + b.round() + " lacks the one certificate of round "
          + (b.round() - 1) + " that justifies it");
      return;
    }
    Verdict sig = p.verifySignature(set, verifier);
    if (sig.rejected()) {
      reject(from, sig.reason());
      return;
    }
    Verdict qc = verifyQc(b.qc());
    if (qc.rejected()) {
      reject(from, "proposal: " + qc.reason());
      return;
    }
    if (tc != null) {
      Verdict t = verifyTc(tc);
      if (t.rejected()) {
        reject(from, "proposal: " + t.reason());
        return;
      }
    }
    proposals.put(b.round(), p);
    observeQc(b.qc(), from);
    if (tc != null) {
      observeTc(tc);
    }
    if (halted) {
      return;
    }
    acceptBlock(from, p);
  }

  private boolean knownBlock(Digest id) {
    return id.equals(tip.id()) || blocks.containsKey(id);
  }

  /** The time of a known block (the committed tip or one in the tree), or null. */
  BlockTime timeOf(Digest id) {
    if (id.equals(tip.id())) {
      return tip.time();
    }
    Block b = blocks.get(id);
    return b == null ? null : b.time();
  }

  private void acceptBlock(int from, Proposal p) {
    Block b = p.block();
    long parentHeight = b.qc().height();
    if (parentHeight < tip.height()
        || (parentHeight == tip.height() && !b.parentId().equals(tip.id()))) {
      reject(from, "proposal " + b + " does not extend the committed chain");
      return;
    }
    if (!knownBlock(b.parentId())) {
      waitingForParent.computeIfAbsent(b.parentId(), k -> new ArrayList<>()).add(new Pending(from, p));
      want(b.parentId(), b.proposer() == self ? from : b.proposer());
      return;
    }
    Verdict time = set.timing().follows(timeOf(b.parentId()), b.time());
    if (time.rejected()) {
      reject(from, "proposal " + b + ": " + time.reason());
      return;
    }
    addBlock(b);
    if (b.round() == round) {
      // The clock only decides this validator's vote, never whether the block is in the tree.
      Verdict clockCheck = set.timing().nearClock(b.time().timestampMillis(), clock.getAsLong());
      if (clockCheck.rejected()) {
        reject(from, "proposal " + b + ": " + clockCheck.reason());
        return;
      }
      vote(b, p.tc());
    }
  }

  private boolean vote(Block b, TimeoutCert tc) {
    if (halted) {
      return false;
    }
    Vote last = safety.lastVote();
    if (last != null && last.round() == b.round()) {
      // Seen again after a restart: the same vote may go out again, never another one.
      if (last.data().blockId().equals(b.id())) {
        send(set.leader(b.round() + 1), last);
      }
      return false;
    }
    if (SafetyRules.canVote(safety, b, tc).rejected()) {
      return false;
    }
    if (b.proposer() != self && checkTransactions(b).rejected()) {
      return false;
    }
    if (boundary != EpochBoundary.NEVER && commitQc != null) {
      // A certified commit waits for blocks: it may end the epoch, and the epoch must end before
      // this validator signs anything above it (otherwise a later, longer commit could end it
      // elsewhere for validators that fetch slower).
      return false;
    }
    Boolean above = b.transactions().isEmpty() ? Boolean.FALSE : endingAtOrBelow(b.parentId());
    if (above == null || above) {
      // A block above the change must be empty: whatever it carried could be committed by the
      // ended epoch's certificate but never applied. Unknown ancestors may hold the change.
      if (above != null) {
        reject(b.proposer(), "proposal " + b + " carries transactions above a validator-set "
            + "change that ends the epoch: only empty blocks may follow it");
      }
      return false;
    }
    Vote vote = Vote.sign(VoteData.of(b), self, signer, set.signingChainId());
    persist(SafetyRules.afterVote(safety, vote, b.qc(), highQc, highTc));
    send(set.leader(b.round() + 1), vote);
    return true;
  }

  private Verdict checkTransactions(Block b) {
    Set<Digest> pending = transactionsAbove(b.parentId());
    var context = new TransactionValidator.BlockContext(
        b.round(), b.height(), b.parentId(), b.proposer());
    for (Transaction tx : b.transactions()) {
      String reason = null;
      if (pending.contains(tx.id()) || recentlyCommitted.containsKey(tx.id())) {
        reason = "duplicate: already in the chain";
      } else {
        Verdict v = transactions.validate(tx, context);
        if (v.rejected()) {
          reason = v.reason();
        }
      }
      if (reason != null) {
        out.add(new Output.TransactionRejected(tx.id(), b.id(), reason));
        return Verdict.reject("transaction " + tx.id() + " rejected: " + reason);
      }
    }
    return Verdict.accept();
  }

  private void onVote(int from, Vote v) {
    long r = v.round();
    if (set.leader(r + 1) != self || r + 1 < round || r <= highQc.round()) {
      return;
    }
    if (r > round + config.maxFutureRounds()) {
      reject(from, "vote for round " + r + " too far ahead of round " + round);
      return;
    }
    Map<Integer, Vote> byVoter = votes.get(r);
    Vote prior = byVoter == null ? null : byVoter.get(v.voter());
    if (prior != null && prior.data().equals(v.data())) {
      return;
    }
    if (from != self) {
      Verdict ok = v.verify(set, verifier);
      if (ok.rejected()) {
        reject(from, ok.reason());
        return;
      }
    }
    if (prior != null) {
      if (reportedEquivocations.add(List.of(r, (long) v.voter(), 1L))) {
        out.add(new Output.EquivocationDetected(new Evidence.ConflictingVotes(prior, v)));
      }
      return;
    }
    byVoter = votes.computeIfAbsent(r, k -> new TreeMap<>());
    byVoter.put(v.voter(), v);
    SortedMap<Integer, byte[]> signatures = new TreeMap<>();
    for (Vote each : byVoter.values()) {
      if (each.data().equals(v.data())) {
        signatures.put(each.voter(), each.signature());
      }
    }
    if (signatures.size() >= set.quorum()) {
      QuorumCert qc = new QuorumCert(v.data(), signatures);
      verifiedCerts.put(qc.digest(), Boolean.TRUE);
      observeQc(qc, from == self ? v.voter() : from);
    }
  }

  // ---------------------------------------------------------------- timeouts

  private boolean timedOutIn(long r) {
    return safety.lastTimeout() != null && safety.lastTimeout().round() == r;
  }

  private void onTimer(long r) {
    if (r != round) {
      return;
    }
    localTimeout();
    reshare();
    out.add(new Output.SetTimer(round, timeoutFor(round)));
    // Block requests may have gone to a silent or slow peer: ask the next one.
    for (Map.Entry<Digest, Integer> e : wanted.entrySet()) {
      int peer = nextPeer(e.getValue());
      e.setValue(peer);
      out.add(new Output.Send(peer, new BlockRequest(e.getKey(), config.blockFetchBatch())));
    }
  }

  /** The oldest own transactions still uncommitted, within one block's bounds. */
  private void reshare() {
    List<Transaction> again = new ArrayList<>();
    long bytes = 0;
    for (Digest id : local) {
      Transaction tx = pool.get(id);
      if (tx == null || again.size() >= config.maxBatchTransactions()
          || bytes + tx.body().length > config.maxBatchBytes()) {
        break;
      }
      again.add(tx);
      bytes += tx.body().length;
    }
    if (!again.isEmpty()) {
      out.add(new Output.Broadcast(new TransactionShare(again)));
    }
  }

  private void localTimeout() {
    if (halted) {
      return;
    }
    if (timedOutIn(round)) {
      out.add(new Output.Broadcast(safety.lastTimeout()));
      return;
    }
    if (SafetyRules.canTimeout(safety, round, highQc, highTc).rejected()) {
      return;
    }
    Timeout t = Timeout.sign(round, highQc, highTc, self, signer, set.signingChainId());
    persist(SafetyRules.afterTimeout(safety, t, highTc));
    broadcast(t);
  }

  private void onTimeout(int from, Timeout t) {
    long r = t.round();
    if (r < round) {
      return;
    }
    Map<Integer, Timeout> bySigner = timeouts.get(r);
    if (bySigner != null && bySigner.containsKey(t.signer())) {
      return;
    }
    if (from != self) {
      Verdict ok = t.verify(set, verifier);
      if (ok.rejected()) {
        reject(from, ok.reason());
        return;
      }
    }
    Verdict qc = verifyQc(t.highQc());
    if (qc.rejected()) {
      reject(from, "timeout: " + qc.reason());
      return;
    }
    if (t.lastTc() != null) {
      Verdict tc = verifyTc(t.lastTc());
      if (tc.rejected()) {
        reject(from, "timeout: " + tc.reason());
        return;
      }
    }
    observeQc(t.highQc(), from == self ? nextPeer(self) : from);
    if (halted) {
      return;
    }
    if (t.lastTc() != null) {
      observeTc(t.lastTc());
    }
    if (r < round) {
      return;
    }
    // Its certificates were worth taking, but an unjustified far-future round is not stored.
    if (r > round + config.maxFutureRounds()) {
      reject(from, "timeout for round " + r + " too far ahead of round " + round);
      return;
    }
    bySigner = timeouts.computeIfAbsent(r, k -> new TreeMap<>());
    bySigner.put(t.signer(), t);
    // f+1 timeouts include an honest one: join them rather than wait out the full timer.
    if (r == round && bySigner.size() > set.maxFaulty() && !timedOutIn(round)) {
      localTimeout();
    }
    if (bySigner.size() >= set.quorum() && (highTc == null || highTc.round() < r)) {
      TreeMap<Integer, TimeoutCert.Entry> entries = new TreeMap<>();
      for (Timeout each : bySigner.values()) {
        entries.put(each.signer(), new TimeoutCert.Entry(each.highQc().round(), each.signature()));
      }
      TimeoutCert tc = new TimeoutCert(r, entries);
      verifiedCerts.put(tc.digest(), Boolean.TRUE);
      observeTc(tc);
    }
  }

  // ---------------------------------------------------------------- blocks and commits

  private int nextPeer(int peer) {
    int next = (peer + 1) % set.size();
    return next == self ? (next + 1) % set.size() : next;
  }

  private void want(Digest id, int peer) {
    if (knownBlock(id) || wanted.containsKey(id)) {
      return;
    }
    if (peer == self) {
      peer = nextPeer(self);
    }
    if (wanted.size() >= 256) {
      Iterator<Digest> it = wanted.keySet().iterator();
      it.next();
      it.remove();
    }
    wanted.put(id, peer);
    out.add(new Output.Send(peer, new BlockRequest(id, config.blockFetchBatch())));
  }

  private void addBlock(Block b) {
    wanted.remove(b.id());
    if (b.height() <= tip.height()) {
      return;
    }
    blocks.put(b.id(), b);
    List<Pending> waiting = waitingForParent.remove(b.id());
    if (waiting != null) {
      for (Pending p : waiting) {
        acceptBlock(p.from(), p.proposal());
      }
    }
    if (b.id().equals(proposalAwaits)) {
      proposalAwaits = null;
      if (set.leader(round) == self && !proposals.containsKey(round)) {
        propose(false);
      }
    }
  }

  private void onBlockRequest(int from, BlockRequest request) {
    List<Block> found = new ArrayList<>();
    int max = Math.min(request.count(), config.blockFetchBatch());
    Digest cur = request.blockId();
    long bytes = 0;
    while (found.size() < max) {
      Block b = blocks.get(cur);
      if (b == null) {
        break;
      }
      // At least one block; then only while the response stays within one block's bound.
      if (!found.isEmpty() && bytes + b.encodedSize() > config.maxBatchBytes()) {
        break;
      }
      bytes += b.encodedSize();
      found.add(b);
      cur = b.parentId();
    }
    if (!found.isEmpty()) {
      send(from, new BlockResponse(found));
    }
  }

  private void onBlockResponse(int from, BlockResponse response) {
    List<Digest> trustedParents = new ArrayList<>();
    for (Block b : response.blocks()) {
      // Only ids we already trust: the hash then vouches for the whole block.
      if (!wanted.containsKey(b.id())) {
        continue;
      }
      addBlock(b);
      if (b.height() - 1 > tip.height() && !knownBlock(b.parentId())
          && !wanted.containsKey(b.parentId())) {
        wanted.put(b.parentId(), from);
        trustedParents.add(b.parentId());
      }
    }
    for (Digest id : trustedParents) {
      if (wanted.containsKey(id)) {
        out.add(new Output.Send(from, new BlockRequest(id, config.blockFetchBatch())));
      }
    }
    tryCommit();
  }

  private void tryCommit() {
    if (commitQc == null) {
      return;
    }
    if (commitQc.height() - 1 <= tip.height()) {
      commitQc = null;
      return;
    }
    List<Block> chain = new ArrayList<>();
    Digest cur = commitQc.data().parentId();
    while (!cur.equals(tip.id())) {
      Block b = blocks.get(cur);
      if (b == null) {
        int peer = commitQc.signatures().isEmpty() ? nextPeer(self)
            : commitQc.signatures().firstKey();
        want(cur, peer);
        return;
      }
      if (b.height() <= tip.height()) {
        fault("certified block " + b + " does not descend from committed " + tip);
        commitQc = null;
        return;
      }
      chain.add(b);
      cur = b.parentId();
    }
    Collections.reverse(chain);
    CommitCertificate certificate = new CommitCertificate(commitQc);
    commitQc = null;
    Block ending = null;
    for (Block b : chain) {
      commit(b, certificate);
      if (ending == null && endsEpoch(b)) {
        ending = b;
      } else if (ending != null && !b.transactions().isEmpty()) {
        fault("block " + b + " above the epoch-ending " + ending + " carries transactions");
      }
    }
    prune();
    if (ending != null) {
      // The epoch ends at the certified top of this batch: the change block, or an empty block
      // above it when the change's child was not certified in the very next round.
      halted = true;
      toSelf.clear();
      out.add(new Output.EpochEnded(chain.get(chain.size() - 1), ending, certificate));
    }
  }

  /** The boundary's answer, asked once per block (it may verify a quorum of signatures). */
  private boolean endsEpoch(Block b) {
    if (boundary == EpochBoundary.NEVER || b.transactions().isEmpty()) {
      return false;
    }
    return endsEpochCache.computeIfAbsent(b.id(), k -> boundary.endsEpoch(b));
  }

  /**
   * Whether an uncommitted block from {@code id} down to the committed tip ends the epoch: TRUE,
   * FALSE, or null when a block on the way is unknown here (then it is fetched).
   */
  private Boolean endingAtOrBelow(Digest id) {
    if (boundary == EpochBoundary.NEVER) {
      return Boolean.FALSE;
    }
    Digest cur = id;
    for (int guard = 0; guard < 10_000 && !cur.equals(tip.id()); guard++) {
      Block b = blocks.get(cur);
      if (b == null) {
        want(cur, nextPeer(self));
        return null;
      }
      if (b.height() <= tip.height()) {
        return Boolean.FALSE;
      }
      if (endsEpoch(b)) {
        return Boolean.TRUE;
      }
      cur = b.parentId();
    }
    return Boolean.FALSE;
  }

  private void commit(Block b, CommitCertificate certificate) {
    tip = CommittedTip.of(b);
    out.add(new Output.Commit(b, certificate));
    for (Transaction tx : b.transactions()) {
      pool.remove(tx.id());
      local.remove(tx.id());
      if (config.recentTransactionMemory() > 0) {
        recentlyCommitted.put(tx.id(), Boolean.TRUE);
      }
    }
    committedWindow.addLast(b);
    while (committedWindow.size() > config.retainedCommittedBlocks()) {
      blocks.remove(committedWindow.removeFirst().id());
    }
  }

  /** Forks below the committed tip can never commit: drop them. */
  private void prune() {
    Set<Digest> keep = new HashSet<>();
    for (Block b : committedWindow) {
      keep.add(b.id());
    }
    blocks.values().removeIf(b -> b.height() <= tip.height() && !keep.contains(b.id()));
  }

  private void fault(String reason) {
    out.add(new Output.SafetyFault(reason));
  }

  // ---------------------------------------------------------------- pool

  /**
   * Adds to the pool what is new and fits; returns what was added. Refusals of transactions shared
   * by another validator are not reported as rejections: their submitter's validator decides.
   */
  private List<Transaction> submit(List<Transaction> txs, boolean local) {
    List<Transaction> added = new ArrayList<>(txs.size());
    for (Transaction tx : txs) {
      if (pool.containsKey(tx.id()) || recentlyCommitted.containsKey(tx.id())) {
        continue;
      }
      if (tx.body().length > config.maxBatchBytes()) {
        if (local) {
          out.add(new Output.TransactionRejected(tx.id(), null, "transaction of " + tx.body().length
              + " bytes exceeds the block bound of " + config.maxBatchBytes() + " bytes (max-batch-bytes)"));
        }
        continue;
      }
      if (pool.size() >= config.maxMempool()) {
        if (local) {
          out.add(new Output.TransactionRejected(tx.id(), null, "transaction pool full"));
        }
        continue;
      }
      pool.put(tx.id(), tx);
      added.add(tx);
      if (local) {
        this.local.add(tx.id());
      }
    }
    return added;
  }

  private static <K> Map<K, Boolean> bounded(int max) {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Boolean> eldest) {
        return size() > max;
      }
    };
  }
}
