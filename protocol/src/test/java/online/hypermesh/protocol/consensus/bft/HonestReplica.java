package online.hypermesh.protocol.consensus.bft;

import java.util.ArrayList;
import java.util.List;

/**
 * Hosts a {@link BftCore} the way the event-sourced actor will: persist {@link Step#persist()}
 * first, then carry out the outputs. Its "disk" (the encoded safety state and the committed chain)
 * survives {@link #crash()}; everything else is rebuilt on restart.
 */
class HonestReplica implements Simulation.Replica {

  final int index;
  final ValidatorSet set;
  final BftConfig config;
  final Signer signer;
  final SignatureVerifier verifier;
  final TransactionValidator validator;

  BftCore core;
  byte[] persisted;
  final List<Block> committed = new ArrayList<>();
  final List<Long> commitTimes = new ArrayList<>();
  CommitCertificate lastCertificate;
  final List<Evidence> evidence = new ArrayList<>();
  final List<String> faults = new ArrayList<>();
  final List<Output.TransactionRejected> rejectedTransactions = new ArrayList<>();
  int rejectedMessages;
  int undecodable;
  int restarts;
  /** Crash right after the next persist, before its outputs leave (the worst moment). */
  boolean dieAfterNextPersist;
  /** Or crash after the first persist of a state matching this. */
  java.util.function.Predicate<SafetyState> dieWhen = state -> false;

  HonestReplica(int index, ValidatorSet set, BftConfig config, Signer signer,
      SignatureVerifier verifier, TransactionValidator validator) {
    this.index = index;
    this.set = set;
    this.config = config;
    this.signer = signer;
    this.verifier = verifier;
    this.validator = validator;
  }

  boolean honest() {
    return true;
  }

  long height() {
    return committed.size();
  }

  @Override
  public void start(Simulation sim) {
    if (persisted == null) {
      core = BftCore.create(config, set, index, signer, verifier, validator, sim::now);
    } else {
      Codec.Decoded<SafetyState> state = Codec.decodeSafetyState(persisted);
      if (!state.ok()) {
        throw new AssertionError("persisted safety state does not decode: " + state.error());
      }
      CommittedTip tip = committed.isEmpty()
          ? CommittedTip.genesis(set) : CommittedTip.of(committed.get(committed.size() - 1));
      core = BftCore.restore(config, set, index, signer, verifier, validator, state.value(), tip,
          sim::now);
      restarts++;
    }
    apply(sim, core.start());
  }

  @Override
  public void crash() {
    core = null;
  }

  @Override
  public void deliver(Simulation sim, int from, byte[] bytes) {
    if (core == null) {
      return;
    }
    Codec.Decoded<ConsensusMessage> decoded = Codec.decodeMessage(bytes);
    if (!decoded.ok()) {
      undecodable++;
      return;
    }
    apply(sim, core.handle(new Input.Received(from, decoded.value())));
  }

  @Override
  public void timer(Simulation sim, long round) {
    if (core != null) {
      apply(sim, core.handle(new Input.TimerExpired(round)));
    }
  }

  @Override
  public void proposalDue(Simulation sim, long round) {
    if (core != null) {
      apply(sim, core.handle(new Input.ProposalDue(round)));
    }
  }

  @Override
  public void submit(Simulation sim, List<Transaction> txs) {
    if (core != null) {
      apply(sim, core.handle(new Input.SubmitTransactions(txs)));
    }
  }

  void apply(Simulation sim, Step step) {
    if (step.persist() != null) {
      persisted = Codec.encode(step.persist());
      if (dieAfterNextPersist || dieWhen.test(step.persist())) {
        dieAfterNextPersist = false;
        dieWhen = state -> false;
        sim.crash(index);
        return;
      }
    }
    for (Output o : step.outputs()) {
      output(sim, o);
    }
  }

  protected void output(Simulation sim, Output o) {
    if (o instanceof Output.Send s) {
      sendTo(sim, s.to(), s.message());
    } else if (o instanceof Output.Broadcast b) {
      broadcast(sim, b.message());
    } else if (o instanceof Output.SetTimer t) {
      sim.setTimer(index, t.round(), t.delayMillis());
    } else if (o instanceof Output.SetProposalTimer t) {
      sim.setProposalTimer(index, t.round(), t.delayMillis());
    } else if (o instanceof Output.Commit c) {
      Block b = c.block();
      Digest expectedParent = committed.isEmpty()
          ? set.genesisId() : committed.get(committed.size() - 1).id();
      if (b.height() != committed.size() + 1 || !b.parentId().equals(expectedParent)) {
        faults.add("commit of " + b + " does not extend the committed chain at " + committed.size());
      }
      committed.add(b);
      commitTimes.add(sim.now());
      lastCertificate = c.certificate();
    } else if (o instanceof Output.EquivocationDetected e) {
      evidence.add(e.evidence());
    } else if (o instanceof Output.SafetyFault f) {
      faults.add(f.reason());
    } else if (o instanceof Output.TransactionRejected r) {
      rejectedTransactions.add(r);
    } else if (o instanceof Output.MessageRejected) {
      rejectedMessages++;
    }
  }

  protected void sendTo(Simulation sim, int to, ConsensusMessage message) {
    if (honest()) {
      sim.monitor.honestSent(index, message);
    }
    sim.send(index, to, Codec.encode(message));
  }

  protected void broadcast(Simulation sim, ConsensusMessage message) {
    if (honest()) {
      sim.monitor.honestSent(index, message);
    }
    sim.broadcast(index, Codec.encode(message));
  }
}
