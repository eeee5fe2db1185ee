package online.hypermesh.protocol.caesar;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import online.hypermesh.protocol.consensus.bft.Block;
import online.hypermesh.protocol.consensus.bft.BlockTime;
import online.hypermesh.protocol.consensus.bft.BlockTiming;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconSigner;
import online.hypermesh.protocol.consensus.bft.QuorumCert;
import online.hypermesh.protocol.consensus.bft.Transaction;
import online.hypermesh.protocol.consensus.bft.ValidatorSet;
import online.hypermesh.protocol.consensus.bft.Vote;
import online.hypermesh.protocol.consensus.bft.VoteData;
import online.hypermesh.protocol.consensus.proof.TransactionCodec;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * A remote chain for bridge tests: a real hash chain of bft blocks, each carrying a quorum
 * certificate of FALCON-1024 votes on its parent, signed by whichever keys the test says (the
 * honest set, a retired set, or strangers).
 */
final class BridgeFixture {

  final Digest chainId;
  List<KeyPair> keys;
  /** The set in force: epoch 0 from the keys, later ones from {@link #enterEpoch}. */
  private ValidatorSet current;
  private Block tip;
  private QuorumCert tipQc;
  private long envelopeNonce;

  /** The chain's fixture from now on (its forks are not): its validators attest claims. */
  BridgeFixture(String name, List<KeyPair> keys) {
    this(Digest.sha256(name.getBytes(StandardCharsets.UTF_8)), keys);
    if (!keys.isEmpty()) {
      BY_CHAIN.put(chainId, this);
    }
  }

  private BridgeFixture(Digest chainId, List<KeyPair> keys) {
    this.chainId = chainId;
    this.keys = keys;
    this.current = keys.isEmpty() ? null : new ValidatorSet(chainId, publicKeys(keys), TIMING);
    this.tipQc = keys.isEmpty() ? null : set().genesisQc();
  }

  /** The fixtures by chain id, so a claim can be attested by its source chain's validators. */
  private static final java.util.Map<Digest, BridgeFixture> BY_CHAIN =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * {@code claim} with f + 1 execution attestations by its source chain's current validators,
   * under the current epoch's signing chain id (as honest validators whose ledger applied the
   * transfer give them, for a transfer of the current epoch); unchanged if it has some or its
   * source chain is not a fixture.
   */
  static CaesarTransaction.Redeem attested(CaesarTransaction.Redeem claim) {
    BridgeFixture source = BY_CHAIN.get(claim.sourceChain());
    if (!claim.attestations().isEmpty() || source == null) {
      return claim;
    }
    InclusionProof p = claim.proof();
    List<ExecutionAttestation> attestations = new ArrayList<>();
    for (int i = 0; i <= (source.keys.size() - 1) / 3; i++) {
      attestations.add(ExecutionAttestation.sign(
          new FalconSigner(source.keys.get(i).getPrivate()), i, source.set().signingChainId(),
          p.transaction().id(), p.block().height()));
    }
    return new CaesarTransaction.Redeem(claim.sourceChain(), claim.recipient(), claim.amount(),
        p, attestations);
  }

  static List<KeyPair> keys(int n) {
    List<KeyPair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Falcon.generateKeyPair());
    }
    return out;
  }

  static List<byte[]> publicKeys(List<KeyPair> keys) {
    return keys.stream().map(k -> k.getPublic().getEncoded()).toList();
  }

  /** Genesis at time 0, one tick per block, an hour of skew: the bridge never checks clocks. */
  static final BlockTiming TIMING = new BlockTiming(
      new BlockTime(0, Digest.sha256("bridge-tick".getBytes(StandardCharsets.US_ASCII)), 0), 1,
      3_600_000);

  ValidatorSet set() {
    return current;
  }

  /**
   * The chain's next epoch, as its validators start it: {@code next} sign from here on, under
   * the new epoch's signing chain id, and the next block (round 1) extends {@code base}, the
   * block that ended the epoch.
   */
  void enterEpoch(List<KeyPair> next, Block base) {
    current = current.next(publicKeys(next), base.id(), base.height(), base.time());
    keys = next;
    tip = base;
    tipQc = current.genesisQc();
  }

  /** The same chain so far, growing separately from here (to fork it). */
  BridgeFixture fork() {
    BridgeFixture f = new BridgeFixture(chainId, keys);
    f.tip = tip;
    f.tipQc = tipQc;
    f.current = current;
    f.envelopeNonce = envelopeNonce + 1_000_000;
    return f;
  }

  /** Appends a block with {@code txs}, then an empty child: returns the first, committed. */
  Committed commit(List<Transaction> txs) {
    Block block = append(txs);
    Block child = append(List.of());
    return new Committed(block, new CommitCertificate(qc(child, keys)));
  }

  Block append(List<Transaction> txs) {
    return append(txs, 1);
  }

  /** A block {@code rounds} rounds after its parent's (more than 1: rounds timed out between). */
  Block append(List<Transaction> txs, int rounds) {
    long round = tipQc.round() + rounds;
    long height = tip == null ? 1 : tip.height() + 1;
    BlockTime time = tip == null
        ? TIMING.next(TIMING.genesis(), round)
        : TIMING.next(tip.time(), tip.time().timestampMillis() + 1);
    Block b = new Block(round, height, (int) (round % keys.size()), tipQc, time, txs);
    tip = b;
    tipQc = qc(b, keys);
    return b;
  }

  /** A quorum certificate on {@code block} signed by the first 2f+1 of {@code signers}. */
  QuorumCert qc(Block block, List<KeyPair> signers) {
    return qc(VoteData.of(block), signers);
  }

  /** {@code signers} sign exactly {@code data}, as a certificate's signers would. */
  QuorumCert qc(VoteData data, List<KeyPair> signers) {
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    int quorum = signers.size() - (signers.size() - 1) / 3;
    for (int i = 0; i < quorum; i++) {
      sigs.put(i, Vote.sign(data, i, new FalconSigner(signers.get(i).getPrivate()),
          current.signingChainId()).signature());
    }
    return new QuorumCert(data, sigs);
  }

  /** A consensus envelope carrying {@code payload}, as the node puts it in a block. */
  Transaction envelope(TransactionKind kind, byte[] payload) {
    return envelope(kind, payload,
        List.of("not parsed by the bridge".getBytes(StandardCharsets.US_ASCII)));
  }

  private Transaction envelope(TransactionKind kind, byte[] payload, List<byte[]> senderChain) {
    var tx = new online.hypermesh.protocol.consensus.proof.Transaction(kind, payload,
        senderChain, envelopeNonce++, 1_700_000_000_000L, null, null, null, null, null);
    return new Transaction(Digest.of(tx.id()), TransactionCodec.encode(tx));
  }

  /**
   * {@code payload} in an envelope of exactly {@code bodyBytes}, as big as real ones (12-19 KB:
   * the sender's certificate chain, the owner's chain and FALCON-1024 signature). Blobs of
   * certificate size stand in for the chains and the signature: the bridge parses none of them
   * (the source chain checked them before ordering).
   */
  Transaction heavyCaesar(CaesarTransaction payload, int bodyBytes) {
    OwnerAuthorization owner = new OwnerAuthorization(List.of(blob(2_000)),
        blob(Falcon.MAX_SIGNATURE_BYTES));
    byte[] bytes = CaesarCodec.encode(payload, owner);
    TransactionKind kind = CaesarCodec.kindOf(payload);
    // The sender's leaf takes what is left (5.6..21.9 KB in all).
    int base = envelope(kind, bytes, List.of(blob(1), blob(2_000))).body().length;
    Transaction tx = envelope(kind, bytes, List.of(blob(1 + bodyBytes - base), blob(2_000)));
    if (tx.body().length != bodyBytes) {
      throw new IllegalStateException("envelope of " + tx.body().length + " B, not " + bodyBytes);
    }
    return tx;
  }

  private static byte[] blob(int n) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) 0x5a);
    b[0] = 0x30;
    return b;
  }

  Transaction caesar(CaesarTransaction payload) {
    return envelope(CaesarCodec.kindOf(payload), CaesarCodec.encode(payload,
        CaesarCodec.needsOwner(payload) ? ANY_OWNER : null));
  }

  /** An owner authorization the codec accepts (the bridge does not check it: the chain does). */
  static final OwnerAuthorization ANY_OWNER =
      new OwnerAuthorization(List.of(new byte[] {0x30, 0}), new byte[] {1, 2, 3});

  /** A change to {@code next}, authorized by a quorum of the set in force. */
  Transaction validatorSetChange(List<KeyPair> next) {
    return validatorSetChange(next, current.quorum());
  }

  /** A change to {@code next} signed by the first {@code signers} validators in force. */
  Transaction validatorSetChange(List<KeyPair> next, int signers) {
    TreeMap<Integer, byte[]> sigs = new TreeMap<>();
    for (int i = 0; i < signers; i++) {
      sigs.put(i, EpochChange.sign(current, publicKeys(next),
          new FalconSigner(keys.get(i).getPrivate())));
    }
    return envelope(TransactionKind.VALIDATOR_SET_CHANGE,
        new EpochChange(publicKeys(next), sigs).encode());
  }

  record Committed(Block block, CommitCertificate certificate) {
    InclusionProof proof(int index) {
      return InclusionProof.of(block, certificate, index);
    }
  }

  /** Shape-only proof for tests that never verify it. */
  static InclusionProof anyProof() {
    ValidatorSet set = new ValidatorSet(Digest.ZERO, List.of(new byte[] {1}), TIMING);
    byte[] body = {1, 2, 3};
    Transaction tx = new Transaction(Digest.sha256(body), body);
    Block block = new Block(1, 1, 0, set.genesisQc(), TIMING.next(TIMING.genesis(), 1),
        List.of(tx));
    return InclusionProof.of(block, new CommitCertificate(set.genesisQc()), 0);
  }
}
