/**
 * The BFT ordering protocol of NKrypt consensus, as pure deterministic code: no actors, threads,
 * clocks, randomness or I/O. A host (the event-sourced validator actor) feeds {@link
 * online.hypermesh.protocol.consensus.bft.Input}s to a {@link
 * online.hypermesh.protocol.consensus.bft.BftCore} and carries out the {@link
 * online.hypermesh.protocol.consensus.bft.Step} it returns.
 *
 * <h2>Protocol choice</h2>
 *
 * <p>2-chain HotStuff as in Jolteon / DiemBFT v4: n = 3f+1 validators, safe with up to f
 * Byzantine ones under any network behaviour, live once the network delivers within the timeout.
 * Chosen over 3-chain HotStuff for one round trip less commit latency, and over Tendermint for
 * linear view change (no waiting for the maximum network delay on every round). Leaders rotate
 * round-robin over the validator set ({@code round mod n}).
 *
 * <h2>Message flow</h2>
 *
 * <ol>
 *   <li>The leader of round r signs a {@link online.hypermesh.protocol.consensus.bft.Proposal}: a
 *       {@link online.hypermesh.protocol.consensus.bft.Block} of pooled transactions extending its
 *       highest QC, plus the TC of round r-1 if that QC is not from round r-1. Broadcast. With an
 *       empty pool and nothing uncommitted it first waits up to {@code idleProposalDelayMillis}
 *       for transactions, so an idle chain does not sign empty blocks at network speed.
 *   <li>Each validator checks the proposal (leader, signature, certificates, and the block's
 *       tick and timestamp against its parent's and its own clock, {@link
 *       online.hypermesh.protocol.consensus.bft.BlockTiming}), runs every
 *       transaction through the {@link online.hypermesh.protocol.consensus.bft.TransactionValidator}
 *       (the four proofs), asks {@link online.hypermesh.protocol.consensus.bft.SafetyRules}, and
 *       sends a signed {@link online.hypermesh.protocol.consensus.bft.Vote} to the leader of r+1.
 *   <li>That leader aggregates 2f+1 votes into a {@link
 *       online.hypermesh.protocol.consensus.bft.QuorumCert}, enters round r+1 and proposes on it.
 *   <li>2-chain commit: a QC on block B' whose parent B has round B'.round - 1 commits B and its
 *       ancestors. That QC is the {@link online.hypermesh.protocol.consensus.bft.CommitCertificate}:
 *       its vote data names B, so anyone with the validator set's public keys can check it.
 *   <li>If round r makes no progress before its timer, validators broadcast a signed {@link
 *       online.hypermesh.protocol.consensus.bft.Timeout} carrying their highest QC; f+1 timeouts
 *       make the others join, 2f+1 form a {@link online.hypermesh.protocol.consensus.bft.TimeoutCert}
 *       that moves everyone to r+1. Timeouts back off exponentially while no QC forms.
 *   <li>Blocks a validator lacks (parent of a proposal, ancestors of a commit) are fetched with
 *       {@link online.hypermesh.protocol.consensus.bft.BlockRequest}; a response is accepted only
 *       for ids already trusted through a verified QC or a trusted child, so it needs no signature.
 * </ol>
 *
 * <h2>Block time</h2>
 *
 * <p>Every block carries a {@link online.hypermesh.protocol.consensus.bft.BlockTime}: its tick in
 * the validators' sequential hash chain (tick n+1 = SHA-256(tick n)) and the leader's timestamp.
 * The rule, fixed at genesis and part of the genesis id ({@link
 * online.hypermesh.protocol.consensus.bft.BlockTiming}): the tick advances the parent's by exactly
 * {@code ticksPerBlock} hashes, the timestamp is after the parent's and within {@code
 * maxClockSkewMillis} of the voter's clock. A block breaking the tick rule is refused outright; one
 * only outside this validator's clock window is kept in the tree (others may certify it) but not
 * voted for. The clock is the host's ({@code LongSupplier}); it is the core's only reading of
 * time, and a simulation passes its virtual time. {@link
 * online.hypermesh.protocol.consensus.bft.CommittedTip} carries the tip's time so a restored
 * validator can check and build on it.
 *
 * <p>Two proposals or two votes signed by one validator for one round produce {@link
 * online.hypermesh.protocol.consensus.bft.Evidence} that anyone can verify.
 *
 * <h2>Epochs</h2>
 *
 * <p>A committed VALIDATOR_SET_CHANGE authorized by a quorum of the set in force ({@link
 * online.hypermesh.protocol.consensus.bft.EpochChange}) ends the epoch: the core, told by its
 * {@link online.hypermesh.protocol.consensus.bft.EpochBoundary}, emits {@link
 * online.hypermesh.protocol.consensus.bft.Output.EpochEnded} and halts in the same step. Above an
 * uncommitted change only empty blocks get votes, and no vote is cast while a certified commit
 * waits for blocks, so every validator ends the epoch at the same base block; the next epoch's
 * core starts from it with {@link online.hypermesh.protocol.consensus.bft.ValidatorSet#next},
 * whose signatures bind a signing chain id derived from the base. See docs/RECONFIGURATION.md.
 *
 * <h2>Persist before send</h2>
 *
 * <p>A {@link online.hypermesh.protocol.consensus.bft.Step} may carry a {@link
 * online.hypermesh.protocol.consensus.bft.SafetyState}: last voted round, locked round, the last
 * vote and timeout, highest QC and TC. The host must make it durable (encode with {@link
 * online.hypermesh.protocol.consensus.bft.Codec#encode(SafetyState)}; the newest replaces older
 * ones) together with the step's {@link online.hypermesh.protocol.consensus.bft.Output.Commit}s,
 * and only after the write is acknowledged carry out the outputs in order. The outputs may
 * contain a vote, timeout or proposal signed under the new state; if it left first and the node
 * crashed before persisting, the restarted node would not know it had signed and could sign a
 * conflicting message for the same round. In Pekko terms: {@code Effect.persist(events)
 * .thenRun(send outputs)}, where the events are "safety state updated" and "block committed".
 *
 * <p>Recovery: {@link online.hypermesh.protocol.consensus.bft.BftCore#restore} with the last
 * persisted safety state and the highest committed block, then {@link
 * online.hypermesh.protocol.consensus.bft.BftCore#start()}. The restored validator re-sends an
 * identical vote if it sees the same proposal again, never a different one, and never proposes in
 * a round it already signed in. Votes in flight, the block tree above the committed tip and the
 * transaction pool are volatile and refetched from peers. A snapshot is the same two values.
 *
 * <h2>Wire format</h2>
 *
 * <p>{@link online.hypermesh.protocol.consensus.bft.Codec}: big-endian, length-prefixed, one
 * encoding per value (QC and TC signers strictly increasing), a version byte and a type byte per
 * message, every count and length bounded, trailing bytes refused. Decoders return a refusal with
 * a reason, never throw. Signed payloads carry a domain tag and the chain id, so a signature
 * cannot be replayed as another message type or on another chain.
 *
 * <h2>Signatures</h2>
 *
 * <p>{@link online.hypermesh.protocol.consensus.bft.Signer} and {@link
 * online.hypermesh.protocol.consensus.bft.SignatureVerifier}, implemented with FALCON-1024 by
 * {@link online.hypermesh.protocol.consensus.bft.FalconSigner} and {@link
 * online.hypermesh.protocol.consensus.bft.FalconVerifier} (public keys as X.509
 * SubjectPublicKeyInfo). The core verifies each distinct QC and TC once.
 */
package online.hypermesh.protocol.consensus.bft;
