package online.hypermesh.protocol.consensus.bft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Misbehaving validators. Each runs the real core where that helps it look legitimate and then
 * lies with real signed (or deliberately mis-signed) messages on the wire.
 */
final class ByzantineReplicas {

  private ByzantineReplicas() {}

  enum Kind {
    EQUIVOCATING_LEADER, INVALID_PROOF_VOTER, VOTE_REPLAYER, FORGER, SILENT, STALE_QC_LEADER
  }

  static Simulation.Replica create(Kind kind, int index, ValidatorSet set, BftConfig config,
      Signer signer, SignatureVerifier verifier, TransactionValidator honestValidator) {
    return switch (kind) {
      case EQUIVOCATING_LEADER ->
          new EquivocatingLeader(index, set, config, signer, verifier, honestValidator);
      case INVALID_PROOF_VOTER -> new InvalidProofVoter(index, set, config, signer, verifier);
      case VOTE_REPLAYER -> new VoteReplayer(index, set, config, signer, verifier, honestValidator);
      case FORGER -> new Forger(index, set, config, signer, verifier, honestValidator);
      case SILENT -> new Silent();
      case STALE_QC_LEADER -> new StaleQcLeader(index, set, config, signer, verifier, honestValidator);
    };
  }

  /** Crashed from the start: never sends anything. */
  static final class Silent implements Simulation.Replica {
    @Override
    public void start(Simulation sim) {}

    @Override
    public void deliver(Simulation sim, int from, byte[] bytes) {}

    @Override
    public void timer(Simulation sim, long round) {}

    @Override
    public void submit(Simulation sim, List<Transaction> txs) {}
  }

  /**
   * When leading, signs two different valid blocks for its round, sends each to a random part of
   * the network and votes for both.
   */
  static final class EquivocatingLeader extends HonestReplica {
    int equivocations;
    /** Both versions of its recent proposals, to show a validator again after it restarts. */
    final TreeMap<Long, List<Proposal>> twins = new TreeMap<>();

    void showTwinsTo(Simulation sim, int to) {
      for (List<Proposal> pair : twins.values()) {
        for (Proposal p : pair) {
          sendTo(sim, to, p);
        }
      }
    }

    EquivocatingLeader(int index, ValidatorSet set, BftConfig config, Signer signer,
        SignatureVerifier verifier, TransactionValidator validator) {
      super(index, set, config, signer, verifier, validator);
    }

    @Override
    boolean honest() {
      return false;
    }

    @Override
    protected void output(Simulation sim, Output o) {
      if (o instanceof Output.Broadcast b && b.message() instanceof Proposal p
          && p.block().proposer() == index) {
        Block block = p.block();
        byte[] body = ("twin-" + block.round() + "-" + sim.random.nextLong())
            .getBytes(StandardCharsets.UTF_8);
        Block twin = new Block(block.round(), block.height(), index, block.qc(), block.time(),
            List.of(new Transaction(Digest.sha256(body), body)));
        Proposal other = Proposal.sign(twin, p.tc(), signer, set.chainId());
        twins.put(block.round(), List.of(p, other));
        while (twins.size() > 8) {
          twins.pollFirstEntry();
        }
        for (int to = 0; to < sim.size(); to++) {
          if (to != index) {
            sendTo(sim, to, sim.random.nextBoolean() ? p : other);
          }
        }
        // And a second to some at random, so honest nodes see both and must flag it.
        int witness = sim.random.nextInt(sim.size());
        if (witness != index) {
          sendTo(sim, witness, other);
          sendTo(sim, witness, p);
        }
        Vote second = Vote.sign(VoteData.of(twin), index, signer, set.chainId());
        sendTo(sim, set.leader(block.round() + 1), second);
        equivocations++;
        return;
      }
      super.output(sim, o);
    }
  }

  /**
   * After a timeout, proposes on an older QC than the highest it knows, trying to orphan a block
   * that may already be committed; and withholds its proposals when it cannot do that, to force
   * the timeouts it needs. Honest validators must refuse unless the TC shows no one held a newer
   * QC. It drops the votes sent to it, so the round before its own ends in a timeout.
   */
  static final class StaleQcLeader extends HonestReplica {
    private final TreeMap<Long, QuorumCert> seen = new TreeMap<>();
    int staleProposals;

    StaleQcLeader(int index, ValidatorSet set, BftConfig config, Signer signer,
        SignatureVerifier verifier, TransactionValidator validator) {
      super(index, set, config, signer, verifier, validator);
    }

    @Override
    boolean honest() {
      return false;
    }

    @Override
    public void deliver(Simulation sim, int from, byte[] bytes) {
      Codec.Decoded<ConsensusMessage> m = Codec.decodeMessage(bytes);
      if (m.ok() && m.value() instanceof Proposal p
          && p.block().qc().verify(set, verifier).accepted()) {
        seen.put(p.block().qc().round(), p.block().qc());
        while (seen.size() > 16) {
          seen.pollFirstEntry();
        }
      }
      if (m.ok() && m.value() instanceof Vote) {
        return; // no QC for the round before its own: it wants to lead after a timeout
      }
      super.deliver(sim, from, bytes);
    }

    @Override
    protected void output(Simulation sim, Output o) {
      if (o instanceof Output.Broadcast b && b.message() instanceof Proposal p
          && p.block().proposer() == index) {
        Block block = p.block();
        QuorumCert stale = seen.lowerEntry(block.qc().round()) == null
            ? null : seen.lowerEntry(block.qc().round()).getValue();
        if (p.tc() == null || stale == null) {
          return;
        }
        BlockTime staleTime = core.timeOf(stale.blockId());
        if (staleTime == null) {
          return;
        }
        // A correct tick and time: honest validators must refuse it for its stale QC alone.
        Block fork = new Block(block.round(), stale.height() + 1, index, stale,
            set.timing().next(staleTime, sim.now()), block.transactions());
        Proposal forked = Proposal.sign(fork, p.tc(), signer, set.chainId());
        broadcast(sim, forked);
        sendTo(sim, set.leader(block.round() + 1),
            Vote.sign(VoteData.of(fork), index, signer, set.chainId()));
        staleProposals++;
        return;
      }
      super.output(sim, o);
    }
  }

  /**
   * Accepts every transaction (votes for blocks with invalid proofs) and, when leading, proposes
   * the invalid transactions honest validators refuse.
   */
  static final class InvalidProofVoter extends HonestReplica {
    InvalidProofVoter(int index, ValidatorSet set, BftConfig config, Signer signer,
        SignatureVerifier verifier) {
      super(index, set, config, signer, verifier, (tx, ctx) -> Verdict.accept());
    }

    @Override
    boolean honest() {
      return false;
    }
  }

  /** Plays the protocol, and keeps re-sending old votes, timeouts and proposals it has seen. */
  static final class VoteReplayer extends HonestReplica {
    private final List<byte[]> archive = new ArrayList<>();
    int replayed;

    VoteReplayer(int index, ValidatorSet set, BftConfig config, Signer signer,
        SignatureVerifier verifier, TransactionValidator validator) {
      super(index, set, config, signer, verifier, validator);
    }

    @Override
    boolean honest() {
      return false;
    }

    @Override
    public void deliver(Simulation sim, int from, byte[] bytes) {
      if (archive.size() < 5000) {
        archive.add(bytes);
      }
      super.deliver(sim, from, bytes);
      replay(sim, 2);
    }

    @Override
    protected void sendTo(Simulation sim, int to, ConsensusMessage message) {
      archive.add(Codec.encode(message));
      super.sendTo(sim, to, message);
    }

    @Override
    public void timer(Simulation sim, long round) {
      super.timer(sim, round);
      replay(sim, 20);
    }

    private void replay(Simulation sim, int count) {
      for (int i = 0; i < count && !archive.isEmpty(); i++) {
        byte[] old = archive.get(sim.random.nextInt(archive.size()));
        int to = sim.random.nextInt(sim.size());
        if (to != index) {
          sim.send(index, to, old);
          replayed++;
        }
      }
    }
  }

  /**
   * Sends its own messages with broken signatures, and forges messages in other validators' names:
   * votes, proposals with a QC "signed" by everyone using its own key, timeouts, garbage bytes.
   */
  static final class Forger extends HonestReplica {
    int forged;

    Forger(int index, ValidatorSet set, BftConfig config, Signer signer,
        SignatureVerifier verifier, TransactionValidator validator) {
      super(index, set, config, signer, verifier, validator);
    }

    @Override
    boolean honest() {
      return false;
    }

    private static byte[] flip(byte[] signature) {
      byte[] copy = signature.clone();
      copy[copy.length / 2] ^= 0x5a;
      return copy;
    }

    @Override
    protected void output(Simulation sim, Output o) {
      if (o instanceof Output.Send s) {
        super.sendTo(sim, s.to(), corrupt(s.message()));
      } else if (o instanceof Output.Broadcast b) {
        super.broadcast(sim, corrupt(b.message()));
      } else {
        super.output(sim, o);
      }
    }

    private ConsensusMessage corrupt(ConsensusMessage m) {
      forged++;
      if (m instanceof Vote v) {
        return new Vote(v.data(), v.voter(), flip(v.signature()));
      } else if (m instanceof Proposal p) {
        return new Proposal(p.block(), p.tc(), flip(p.signature()));
      } else if (m instanceof Timeout t) {
        return new Timeout(t.round(), t.highQc(), t.lastTc(), t.signer(), flip(t.signature()));
      }
      return m;
    }

    @Override
    public void timer(Simulation sim, long round) {
      super.timer(sim, round);
      forge(sim, round);
    }

    @Override
    public void deliver(Simulation sim, int from, byte[] bytes) {
      super.deliver(sim, from, bytes);
      if (sim.random.nextInt(4) == 0 && core != null) {
        forge(sim, core.round());
      }
    }

    private void forge(Simulation sim, long round) {
      int victim = (index + 1 + sim.random.nextInt(sim.size() - 1)) % sim.size();
      byte[] fakeBody = ("forged-" + sim.random.nextLong()).getBytes(StandardCharsets.UTF_8);
      Digest fakeBlock = Digest.sha256(fakeBody);
      QuorumCert high = core == null ? set.genesisQc() : core.highQc();
      VoteData data = new VoteData(fakeBlock, round, high.height() + 1, high.blockId(), high.round());
      // A vote in the victim's name, signed with the forger's key.
      Vote vote = new Vote(data, victim, signer.sign(data.signingBytes(set.chainId())));
      sim.send(index, set.leader(round + 1), Codec.encode(vote));
      // A QC for the fake block claiming every validator signed it.
      TreeMap<Integer, byte[]> sigs = new TreeMap<>();
      for (int i = 0; i < set.size(); i++) {
        sigs.put(i, signer.sign(data.signingBytes(set.chainId())));
      }
      QuorumCert fakeQc = new QuorumCert(data, sigs);
      long next = round + 1;
      Block block = new Block(next + 1, data.height() + 1, set.leader(next + 1), fakeQc,
          TestTiming.first(set, sim.now()), List.of());
      Proposal proposal = new Proposal(block, null,
          signer.sign(Proposal.signingBytes(set.chainId(), block.id())));
      Timeout timeout = Timeout.sign(next, fakeQc, null, index, signer, set.chainId());
      for (int to = 0; to < sim.size(); to++) {
        if (to == index) {
          continue;
        }
        sim.send(index, to, Codec.encode(proposal));
        sim.send(index, to, Codec.encode(timeout));
        byte[] garbage = Codec.encode(vote);
        sim.send(index, to, java.util.Arrays.copyOf(garbage, sim.random.nextInt(garbage.length)));
      }
      forged += 4;
    }
  }
}
