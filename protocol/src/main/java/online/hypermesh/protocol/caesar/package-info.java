/**
 * Caesar: the CAES token's money rules as pure, deterministic, integer-only code (no actors,
 * storage, network or floating point). The consensus side feeds committed blocks in order; every
 * validator computes the same state to the unit.
 *
 * <h2>Units and time</h2>
 *
 * Amounts are {@code long} minor units; the total supply must fit in 2^63 - 1. Accounts are
 * {@link online.hypermesh.protocol.consensus.bft.Digest}s of SHA-256 over the owner's FALCON public
 * key encoding ({@link online.hypermesh.protocol.consensus.proof.Accounts}). Time is the committed
 * block's time in milliseconds ({@link online.hypermesh.protocol.caesar.BlockTime}, with its
 * height): the same for all nodes, never the local clock. bft {@code Block} has no timestamp, so
 * the integration must take it from what the chain commits ({@code proof.BlockTick}).
 *
 * <h2>Demurrage</h2>
 *
 * {@link online.hypermesh.protocol.caesar.Demurrage}. The rate r is the fraction of a balance that
 * decays in one Julian year (365.25 days), in parts per billion: 5%/year is 50,000,000, at most
 * 50%. Decay is continuous: after t ms the kept fraction is F(t) = (1 - r)^(t / year). One tier:
 * the first {@code demurrageExemptUnits} of a balance never decay; only the excess does, so a
 * balance tends to the exempt amount and never crosses it (this keeps the lazy computation
 * independent of when an account is touched; a tier chosen by the balance at the start of an
 * interval would not be).
 *
 * <p>Rounding: F is evaluated in 2^-128 fixed point from a table of F(2^k ms), each entry and each
 * product rounded down, so the computed F' satisfies F - 2^-121 < F' < F. The kept balance is
 * {@code E + floor((b - E) * F')}. Hence, exactly: it is never negative, never above b, never
 * above the exact {@code floor(E + (b - E) F)} (no unit is created), and zero rate keeps b.
 * Within one unit: it equals the exact floor or one below (only when the exact value lies within
 * 2^-58 above an integer; 1,000,000,000 for one year at 5% gives 949,999,999). Monotone in t:
 * F' drops by F·λ per ms (λ the per-ms rate, at least 2^-65 at 1 ppb), more than its error
 * (below 2^-121) while F > 2^-120/λ; so the kept balance never rises with time until its excess
 * over E is below one unit for rates above about 220 ppb (below about 220 units at 1 ppb, which
 * takes longer than 2^63 ms). Past that tail the argument does not exclude a one-unit rise.
 * Splitting [t0, t2] at t1 keeps at most the exact one-step floor and at least that minus 2 (one
 * unit for the intermediate floor, one for F'); every extra split can cost at most one more unit.
 *
 * <p>Collection is lazy: when an operation touches an account, its balance is brought to the block
 * time and the difference goes to the reward pool. Reads compute the same value without storing
 * it. Bonded and unbonding stake, the reward pool and bridged units do not decay.
 *
 * <h2>Ledger</h2>
 *
 * {@link online.hypermesh.protocol.caesar.Ledger}: each account has a liquid balance, the time it
 * was last touched, a nonce, bonded stake and unbonding entries. User operations (transfer with a
 * memo of at most 256 UTF-8 bytes, bond, unbond, lock, burn) carry the sender's account nonce and
 * apply only with the expected one, which then increments. Every check runs before any change: a
 * refused operation returns a {@link online.hypermesh.protocol.caesar.Rejection} and leaves the
 * ledger as it was (its nonce included). A transfer creates the recipient if new; a sender must
 * exist. Block times and heights never go back.
 *
 * <p>Unbonding: unbond at height h moves stake to an entry released at h + {@code
 * unbondingBlocks}; {@code beginBlock} (called first for each committed block) returns matured
 * entries to the liquid balance.
 *
 * <p>Rewards, from the pool only: per committed block min(blockReward, pool), shared equally by
 * the listed validators (the remainder of the division stays in the pool); per completed job,
 * min(jobReward, pool) to the compute provider. Nothing is paid from an empty pool.
 *
 * <p>Conservation ({@link online.hypermesh.protocol.caesar.Ledger#conservation}, summed from the
 * accounts with decay as of a time): balances + reward pool + bonded + unbonding + bridged-out =
 * genesis supply + bridged-in. Bridged-out is what was locked here for other chains; bridged-in is
 * what was minted here for other chains' locks and is not yet burned. Without bridge traffic, the
 * sum is the genesis supply.
 *
 * <h2>Payloads</h2>
 *
 * {@link online.hypermesh.protocol.caesar.CaesarCodec} encodes {@link
 * online.hypermesh.protocol.caesar.CaesarTransaction}s, the payload of a consensus {@code
 * proof.Transaction}. The envelope's sender is the node serving the request (it gives the four
 * proofs); the account an operation acts on is its owner's, proven by the {@link
 * online.hypermesh.protocol.caesar.OwnerAuthorization} in the payload (the owner's certificate
 * chain and FALCON-1024 signature over the chain id, the kind's code and the operation with its
 * nonce). Kinds: TOKEN_TRANSFER, STAKE_BOND, STAKE_UNBOND, BRIDGE_LOCK, BRIDGE_BURN, BRIDGE_REDEEM
 * (a redemption has no owner: anyone may relay a proof), BRIDGE_REGISTER, BRIDGE_FOLLOW (no
 * owner either: a relayed proof of a remote validator-set change). The chain applies
 * them through {@code consensus.chain.CaesarState}.
 *
 * <h2>Bridge</h2>
 *
 * Lock on chain A (units move to A's bridged-out), relay ({@link
 * online.hypermesh.protocol.caesar.InclusionProof}: the headers from the block holding the lock
 * up to a block a commit certificate commits, at most 16, each the parent of the next; the
 * certificate; the transaction and its RFC 6962 audit path against the first header's
 * transaction root), mint on B through B's {@link online.hypermesh.protocol.caesar.BridgeEscrow},
 * which keeps a {@link online.hypermesh.protocol.caesar.BridgeLightClient} of A. A bft block id is
 * its {@link online.hypermesh.protocol.consensus.bft.BlockHeader}'s, which binds the transactions
 * through their count and Merkle root and the parent's quorum certificate through its digest, so
 * headers suffice and the light client never sees whole blocks or parent certificates. A header is
 * 166 bytes whatever A's validator set (measured, BridgeHeaderTest); what grows with the set is
 * the commit certificate (3,916 bytes for 4 FALCON-1024 validators, about 28,100 for 32) and the
 * f + 1 attestations (about 1,275 bytes each). A 16-header proof with a 19 KB lock envelope
 * measures about 28,800 bytes from 4 validators and about 64,500 from 32, of the 64 KiB payload; with
 * every signature at its maximum 28 validators is the largest set that always fits ({@link
 * online.hypermesh.protocol.caesar.CaesarCodec} has the bound). Back: burn on B (at most what came from A), relay, release on A from A's bridged-out.
 * No fees: the recipient gets the amount locked, and demurrage resumes from the block it arrives
 * in. A redemption names its source chain (the escrow of another chain refuses it); each lock id
 * redeems once; the light client follows A's validator-set changes (relayed as BRIDGE_FOLLOW
 * transactions, {@link online.hypermesh.protocol.caesar.CaesarTransaction.Follow}) only when
 * committed and authorized by a quorum of the set in force, each once, refuses certificates of a
 * retired set for
 * heights after its epoch, and freezes for good on two certified blocks at one height. {@code
 * BridgeEscrow.check} runs the same checks read-only (nothing recorded, never a freeze), for
 * validators deciding whether to order a claim. A bridge is set up by an owner-signed REGISTER
 * (the remote chain id, its validator keys and the height they are trusted from), which the chain
 * state applies, not the ledger.
 *
 * <p>Execution: the inclusion proof shows that a lock transaction was committed on A (headers
 * carry a transaction root), not that A's ledger applied it (they carry no receipt or state root),
 * and a lock whose funds were spent earlier in its block is committed all the same. So a claim
 * also carries {@link online.hypermesh.protocol.caesar.ExecutionAttestation}s: at least f + 1 of
 * the validators in force at the lock's height sign, under that epoch's signing chain id, that
 * their ledger applied it; execution is
 * deterministic, so one honest signer is enough. A receipt root in the headers would replace them.
 */
package online.hypermesh.protocol.caesar;
