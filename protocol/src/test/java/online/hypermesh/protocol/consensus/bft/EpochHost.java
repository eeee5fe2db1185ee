package online.hypermesh.protocol.consensus.bft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A simulated node that follows validator-set changes: it runs a {@link BftCore} while it is in the
 * epoch's set, and on {@link Output.EpochEnded} starts the next epoch's core from the base block
 * (or retires when the new set leaves it out). Wire bytes are {@code u8 epoch, u8 kind, payload}:
 * kind 0 a consensus message of that epoch; kind 1 an epoch's end (its committed blocks and the
 * certificate of the last), which a node sends to a peer that is still in an older epoch; kind 2
 * asks for it (sent on hearing a newer epoch). A node takes an epoch's end only after checking the
 * certificate against its own set, the hash chain from its own tip, and the change in the blocks:
 * this stands in for the chain sync of the real node, which a lagging or new validator needs
 * because the halted validators of the old epoch no longer answer consensus messages.
 */
final class EpochHost implements Simulation.Replica {

  /** Keys, signers and verifier of every node of the simulation, by node id. */
  record Plan(List<byte[]> keys, java.util.function.IntFunction<Signer> signers,
      SignatureVerifier verifier, BftConfig config, TransactionValidator validator,
      java.util.Map<Long, Simulation.Monitor> monitors) {
    int nodeOf(byte[] key) {
      for (int i = 0; i < keys.size(); i++) {
        if (Arrays.equals(keys.get(i), key)) {
          return i;
        }
      }
      return -1;
    }
  }

  record Ending(long epoch, Block base, Block change, CommitCertificate certificate,
      List<Block> blocks) {}

  final int node;
  final Plan plan;
  /** Ignores validator-set changes: runs epoch 0 forever, stuffing transactions above them. */
  final boolean stuffer;
  ValidatorSet set;
  int[] members;
  BftCore core;
  final List<Block> committed = new ArrayList<>();
  /** Epoch of each committed block. */
  final List<Long> committedEpoch = new ArrayList<>();
  final List<CommitCertificate> certificates = new ArrayList<>();
  final List<Ending> endings = new ArrayList<>();
  final List<String> faults = new ArrayList<>();
  final List<String> rejections = new ArrayList<>();
  int consensusSentAfterRetiring;
  /** Highest block height this node voted for in epoch 0. */
  long maxVotedHeightInEpoch0;
  boolean retired;

  EpochHost(int node, Plan plan, ValidatorSet genesis, int[] members, boolean stuffer) {
    this.node = node;
    this.plan = plan;
    this.set = genesis;
    this.members = members;
    this.stuffer = stuffer;
  }

  int index() {
    for (int i = 0; i < members.length; i++) {
      if (members[i] == node) {
        return i;
      }
    }
    return -1;
  }

  /** The first authorized change in {@code block} under {@code under}, if any. */
  static Optional<EpochChange> changeIn(Block block, ValidatorSet under, SignatureVerifier v) {
    for (Transaction tx : block.transactions()) {
      byte[] body = tx.body();
      if (body.length > 1 && body[0] == 'E') {
        byte[] payload = Arrays.copyOfRange(body, 1, body.length);
        if (EpochChange.verifyPayload(payload, under, v).accepted()) {
          return EpochChange.decode(payload);
        }
      }
    }
    return Optional.empty();
  }

  EpochBoundary boundary() {
    if (stuffer) {
      return EpochBoundary.NEVER;
    }
    ValidatorSet under = set;
    return block -> changeIn(block, under, plan.verifier()).isPresent();
  }

  @Override
  public void start(Simulation sim) {
    int self = index();
    if (self >= 0 && !retired) {
      core = BftCore.create(plan.config(), set, self, plan.signers().apply(node), plan.verifier(),
          plan.validator(), sim::now, boundary());
      apply(sim, core.start());
    }
  }

  @Override
  public void deliver(Simulation sim, int from, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long epoch = in.get() & 0xff;
    int kind = in.get();
    byte[] payload = Arrays.copyOfRange(bytes, 2, bytes.length);
    if (kind == 0) {
      if (epoch < set.epoch()) {
        sendEnding(sim, from, epoch);
      } else if (epoch > set.epoch() && !stuffer) {
        sim.send(node, from, frame(set.epoch(), 2, new byte[0]));
      } else if (epoch == set.epoch() && core != null) {
        if (stuffer && core.pooledTransactions() < 8) {
          // Never short of transactions of its own to put above the change: handed to its core
          // as if shared by a peer, so they stay in its pool alone.
          byte[] b = ("stuff-" + sim.now() + "-" + sim.random.nextLong()).getBytes();
          b[0] = 'T';
          apply(sim, core.handle(new Input.Received((index() + 1) % members.length,
              new TransactionShare(List.of(new Transaction(Digest.sha256(b), b))))));
        }
        int sender = indexOf(from);
        Codec.Decoded<ConsensusMessage> m = Codec.decodeMessage(payload);
        if (sender >= 0 && m.ok()) {
          apply(sim, core.handle(new Input.Received(sender, m.value())));
        }
      }
    } else if (kind == 2) {
      if (epoch < set.epoch()) {
        sendEnding(sim, from, epoch);
      }
    } else if (kind == 1 && epoch == set.epoch() && !stuffer) {
      takeEnding(sim, payload);
    }
  }

  private int indexOf(int nodeId) {
    for (int i = 0; i < members.length; i++) {
      if (members[i] == nodeId) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] frame(long epoch, int kind, byte[] payload) {
    return ByteBuffer.allocate(2 + payload.length).put((byte) epoch).put((byte) kind)
        .put(payload).array();
  }

  private void sendEnding(Simulation sim, int to, long epoch) {
    Ending e = endings.get((int) epoch);
    List<byte[]> parts = new ArrayList<>();
    for (Block b : e.blocks()) {
      parts.add(Codec.encode(b));
    }
    byte[] cert = Codec.encode(e.certificate());
    int size = 4 + 4 + cert.length;
    for (byte[] p : parts) {
      size += 4 + p.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).putInt(parts.size());
    for (byte[] p : parts) {
      out.putInt(p.length).put(p);
    }
    out.putInt(cert.length).put(cert);
    sim.send(node, to, frame(epoch, 1, out.array()));
  }

  /** Another node's record of how this node's epoch ended: checked, then taken as committed. */
  private void takeEnding(Simulation sim, byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload);
    int count = in.getInt();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] b = new byte[in.getInt()];
      in.get(b);
      blocks.add(Codec.decodeBlock(b).value());
    }
    byte[] c = new byte[in.getInt()];
    in.get(c);
    CommitCertificate cert = Codec.decodeCommitCertificate(c).value();
    if (cert.verify(set, plan.verifier()).rejected()
        || !cert.certifies(blocks.get(blocks.size() - 1))) {
      faults.add("epoch ending with a bad certificate");
      return;
    }
    Digest tipId = committed.isEmpty() ? set.genesisId() : committed.get(committed.size() - 1).id();
    long tipHeight = committed.isEmpty() ? 0 : committed.get(committed.size() - 1).height();
    Block change = null;
    List<Block> fresh = new ArrayList<>();
    for (Block b : blocks) {
      if (b.height() > tipHeight) {
        fresh.add(b);
      }
    }
    Digest parent = tipId;
    for (Block b : fresh) {
      if (!b.parentId().equals(parent)) {
        faults.add("epoch ending does not extend the chain at " + tipHeight);
        return;
      }
      parent = b.id();
    }
    for (Block b : blocks) {
      if (change == null && changeIn(b, set, plan.verifier()).isPresent()) {
        change = b;
      }
    }
    if (change == null || fresh.isEmpty()) {
      faults.add("epoch ending without a change or new blocks");
      return;
    }
    for (Block b : fresh) {
      record(b, cert);
    }
    endEpoch(sim, blocks.get(blocks.size() - 1), change, cert);
  }

  private void record(Block b, CommitCertificate cert) {
    committed.add(b);
    committedEpoch.add(set.epoch());
    certificates.add(cert);
  }

  private void endEpoch(Simulation sim, Block base, Block change, CommitCertificate cert) {
    List<Block> epochBlocks = new ArrayList<>();
    for (int i = 0; i < committed.size(); i++) {
      if (committedEpoch.get(i) == set.epoch()) {
        epochBlocks.add(committed.get(i));
      }
    }
    endings.add(new Ending(set.epoch(), base, change, cert, epochBlocks));
    List<byte[]> keys = changeIn(change, set, plan.verifier()).orElseThrow().keys();
    set = set.next(keys, base.id(), base.height(), base.time());
    members = keys.stream().mapToInt(plan::nodeOf).toArray();
    core = null;
    if (index() < 0) {
      retired = true;
      return;
    }
    start(sim);
  }

  @Override
  public void timer(Simulation sim, long round) {
    // Timers of an ended epoch's core must not reach the next one: rounds restart at 1.
  }

  void timer(Simulation sim, long epoch, long round) {
    if (core != null && epoch == set.epoch()) {
      apply(sim, core.handle(new Input.TimerExpired(round)));
    }
  }

  @Override
  public void proposalDue(Simulation sim, long round) {}

  @Override
  public void submit(Simulation sim, List<Transaction> txs) {
    if (core != null) {
      apply(sim, core.handle(new Input.SubmitTransactions(txs)));
    }
  }

  private void apply(Simulation sim, Step step) {
    long epoch = set.epoch();
    for (Output o : step.outputs()) {
      if (o instanceof Output.Send s) {
        send(sim, epoch, members[s.to()], s.message());
      } else if (o instanceof Output.Broadcast b) {
        for (int to : members) {
          if (to != node) {
            send(sim, epoch, to, b.message());
          }
        }
      } else if (o instanceof Output.SetTimer t) {
        sim.at(sim.now() + t.delayMillis(), () -> timer(sim, epoch, t.round()));
      } else if (o instanceof Output.SetProposalTimer t) {
        sim.at(sim.now() + t.delayMillis(), () -> {
          if (core != null && epoch == set.epoch()) {
            apply(sim, core.handle(new Input.ProposalDue(t.round())));
          }
        });
      } else if (o instanceof Output.Commit c) {
        Block b = c.block();
        Digest expected = committed.isEmpty() ? set.genesisId()
            : committed.get(committed.size() - 1).id();
        if (!b.parentId().equals(expected)) {
          faults.add("commit of " + b + " does not extend the committed chain");
        }
        record(b, c.certificate());
      } else if (o instanceof Output.EpochEnded e) {
        int at = step.outputs().indexOf(o);
        if (at != step.outputs().size() - 1) {
          faults.add("the core went on after ending the epoch: " + step.outputs().subList(at + 1,
              step.outputs().size()));
        }
        endEpoch(sim, e.base(), e.change(), e.certificate());
        return;
      } else if (o instanceof Output.SafetyFault f) {
        faults.add(f.reason());
      } else if (o instanceof Output.MessageRejected r) {
        rejections.add(r.reason());
      }
    }
  }

  private void send(Simulation sim, long epoch, int to, ConsensusMessage m) {
    if (retired) {
      consensusSentAfterRetiring++;
    }
    if (epoch == 0 && m instanceof Vote v) {
      maxVotedHeightInEpoch0 = Math.max(maxVotedHeightInEpoch0, v.data().height());
    }
    if (!stuffer) {
      // Rounds and indices restart with each epoch: one double-signing monitor per epoch.
      plan.monitors().computeIfAbsent(epoch, k -> new Simulation.Monitor()).honestSent(node, m);
    }
    sim.send(node, to, frame(epoch, 0, Codec.encode(m)));
  }
}
