/**
 * NKrypt's four proofs: what every transaction carries and every validator checks before it
 * votes. Pure code: no actors, storage or network; the committed state is read through small
 * interfaces ({@link online.hypermesh.protocol.consensus.proof.CommittedState}).
 *
 * <h2>The envelope</h2>
 *
 * {@link online.hypermesh.protocol.consensus.proof.Transaction}: kind, payload, the sender's
 * certificate chain (DER), nonce, timestamp, an optional job claim and the four proofs. Its
 * digest ({@link online.hypermesh.protocol.consensus.proof.TransactionDigest}, documented
 * there) is the transaction id and covers everything except the stake signature, the hashcash
 * nonce and the storage answer, which are computed from it. Wire form: {@link
 * online.hypermesh.protocol.consensus.proof.TransactionCodec}.
 *
 * <h2>The proofs</h2>
 *
 * <ul>
 *   <li>PoStake (who), {@link online.hypermesh.protocol.consensus.proof.StakeVerifier}: FALCON-1024
 *       signature over the digest; the chain verified by {@link
 *       online.hypermesh.protocol.crypto.CertificateVerifier} (trust anchor, validity, not revoked,
 *       node role); bonded stake of the account (SHA-256 of the key's encoding, {@link
 *       online.hypermesh.protocol.consensus.proof.Accounts}) at least the minimum.
 *   <li>PoWork (what/how), {@link online.hypermesh.protocol.consensus.proof.WorkVerifier}:
 *       hashcash over the digest; for job results, re-execution through {@link
 *       online.hypermesh.protocol.consensus.proof.JobReExecutor} (the Catalog provides it).
 *   <li>PoSpace (where), {@link online.hypermesh.protocol.consensus.proof.SpaceVerifier}: the
 *       claimed IPv6 address is in the certificate's subjectAltName, the claimed region is the
 *       one registered for the account ({@link
 *       online.hypermesh.protocol.consensus.proof.RegionRegistry}, until certificates carry
 *       regions), and the k challenged leaves of the account's plot ({@link
 *       online.hypermesh.protocol.consensus.proof.Plot}) open to its registered root.
 *   <li>PoTime (when), {@link online.hypermesh.protocol.consensus.proof.TimeVerifier}: the
 *       referenced tick is a committed block's ({@link
 *       online.hypermesh.protocol.consensus.proof.Ticks}), fresh, the timestamp in the block's
 *       window and not ahead of the clock, the id not seen before.
 * </ul>
 *
 * {@link online.hypermesh.protocol.consensus.proof.NKryptVerifier} runs all four (time, work,
 * stake, space) and returns the first failure as a {@link
 * online.hypermesh.protocol.consensus.proof.Verdict.Rejected} naming the proof. {@link
 * online.hypermesh.protocol.consensus.proof.TransactionProver} is the sender's side.
 *
 * <h2>Chain parameters</h2>
 *
 * {@link online.hypermesh.protocol.consensus.proof.ChainParameters}, one set for the whole
 * network (every validator must use the same values, so they belong to the chain's genesis or
 * to committed parameter changes, not to a node's local configuration):
 *
 * <ul>
 *   <li>{@code minStake}: bonded stake, in minor units, an account needs to send anything. The
 *       Sybil cost of a sender identity. 0 disables the stake check.
 *   <li>{@code workDifficulty}: hashcash leading zero bits, 0..40. Each step doubles the sender's
 *       cost per transaction (2^d SHA-256 on average, so 20 is about a million hashes), the
 *       validator's stays one hash. Keep it low where throughput matters.
 *   <li>{@code plotLeafBytes}: size of one plot leaf, 32..4096 bytes. With {@code
 *       minPlotLeaves} it sets the smallest plot: {@code minPlotLeaves * plotLeafBytes}. A
 *       change invalidates registered plots (they must be registered again).
 *   <li>{@code minPlotLeaves}: smallest registered plot, in leaves (1..2^32); plots may be
 *       larger.
 *   <li>{@code challengeCount} (k): leaves opened per transaction, 1..64. A node keeping a
 *       fraction f of its tree answers all k from storage with probability f^k; the answer costs
 *       k leaves plus k paths of log2(leaves) hashes.
 *   <li>{@code freshnessTicks}: how many ticks the referenced tick may lag the head. Bounds how
 *       long a signed transaction stays usable and how long ids must stay in the replay set.
 *   <li>{@code timeWindowMillis}: a transaction's timestamp must be within this many ms after
 *       its referenced block's time.
 *   <li>{@code clockSkewMillis}: how far ahead of the validator's clock a timestamp may be.
 * </ul>
 *
 * <h2>Limits, stated plainly</h2>
 *
 * The plot is derived from the public key, so it is cheap to regenerate: PoSpace proves that a
 * node keeps the tree or recomputes it for each challenge (O(plot size) hashes each time), a
 * storage/time trade-off that the freshness window and hashcash make costly, not a proof of
 * space in the cryptographic (Chia-style, hard-to-compute) sense. A node that keeps a fraction q of
 * its tree answers a challenge with probability q^k; it may retry with a new nonce, but the
 * challenge is seeded by the hashcash nonce, so each retry costs a hashcash solution: about
 * q^-k * 2^difficulty hashes per transaction. Choose k with that in mind (k = 32 makes keeping
 * half the tree cost 2^32 tries). The tick chain proves
 * sequential work by the validators, not wall-clock time: timestamps are bounded by block times
 * and each validator's clock.
 */
package online.hypermesh.protocol.consensus.proof;
