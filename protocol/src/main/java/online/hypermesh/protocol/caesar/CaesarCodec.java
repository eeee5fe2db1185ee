package online.hypermesh.protocol.caesar;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import online.hypermesh.protocol.consensus.bft.BlockHeader;
import online.hypermesh.protocol.consensus.bft.Codec;
import online.hypermesh.protocol.consensus.bft.CommitCertificate;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.MerkleTree;
import online.hypermesh.protocol.consensus.proof.Transaction;
import online.hypermesh.protocol.consensus.proof.TransactionKind;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;

/**
 * The wire form of a {@link CaesarTransaction}, the payload of a consensus {@code
 * proof.Transaction}. Big-endian; every length is checked against its bound before anything is
 * allocated; amounts must be positive and nonces non-negative; nothing may follow the end. So one
 * payload has exactly one encoding, and the whole payload stays under {@code
 * proof.Transaction.MAX_PAYLOAD_BYTES} (64 KiB).
 *
 * <pre>
 * u8 version = 2, u8 operation
 * 1 transfer: u64 nonce, to (32), u64 amount, u16 memo length (0..256), memo (UTF-8), owner
 * 2 bond, 3 unbond: u64 nonce, u64 amount, owner
 * 4 lock, 5 burn: u64 nonce, remote chain id (32), recipient (32), u64 amount, owner
 *   owner ({@link OwnerAuthorization}): u8 chain length (1..4), per certificate u16 length
 *   (1..8 KiB) and DER, leaf first; u16 signature length (1..1462), FALCON-1024 signature
 *   over OwnerAuthorization.signedBytes (which covers the bytes from version to the owner)
 * 6 redeem (no owner: anyone may relay, the proof decides): source chain id (32),
 *           recipient (32), u64 amount,
 *           u8 header count (1..16), per header u32 length (1..1 KiB) and the header
 *           (bft Codec.encodeHeader, 166 bytes), the first holding the transaction, the last
 *           certified, u16 certificate length (1..32 KiB), commit certificate (bft Codec),
 *           transaction id (32), u16 body length (0..32 KiB), body,
 *           u32 leaf index, u8 path length (0..32), path (32 each),
 *           u8 attestation count (0..32), each u16 validator index and u16 signature length
 *           (1..1462) and the FALCON-1024 signature ({@link ExecutionAttestation})
 * 7 register: u64 nonce, remote chain id (32), u64 trusted-from height, u8 key count (1..32),
 *           per key u16 length (1..4096) and the X.509 public key encoding, owner
 * 8 follow (no owner, like redeem): source chain id (32), then the proof as in redeem (headers
 *           from the change block up to the epoch's base, the base's certificate, transaction
 *           id) except that the body length is a u32 (0..64 KiB: a validator-set change carries
 *           every new key and n - f signatures), then u32 leaf index, u8 path length, path
 * </pre>
 *
 * <p>A follow's body is the remote kind-9 envelope: the keys (about 1.8 KB each), n - f
 * signatures and the envelope's own proofs and sender chain (about 15 KB). With the headers and
 * the certificate it fits 64 KiB for sets up to about 12 validators; larger sets cannot be
 * followed through one transaction (not built: a chunked proof).
 *
 * <p>Sizes. A bft header commits its parent's quorum certificate by digest, so it is 166 bytes
 * whatever the validator set; what grows with the set is the commit certificate (n - f
 * signatures) and the f + 1 attestations. FALCON-1024 signatures measure about 1,271 bytes
 * (at most 1,462). Measured with 4 validators (BridgeHeaderTest): commit certificate about
 * 3,920 bytes; a 16-header proof with 2 attestations about 9,500 bytes with a 146-byte lock
 * envelope, about 28,800 with a 19,456-byte one (real lock envelopes are 12-19 KB: sender chain, owner
 * authorization, proofs). With 32 validators (BridgeLargeSetTest: 22 signers, 11 attestations):
 * certificate about 28,200 bytes, attestations about 14,000, the 16-header proof with a
 * 19,456-byte lock about 64,500 bytes (64,492 and 64,516 in two runs: signature lengths vary),
 * about 1 KB under 64 KiB.
 *
 * <p>Bound with every signature at its 1,462-byte maximum, 16 headers, a 19,456-byte body and a
 * 15-hash path (a block of 20,000 transactions): 22,863 bytes plus 1,468 per certificate
 * signature plus 1,466 per attestation. That is 65,415 bytes for n = 28 (19 signers, 10
 * attestations), the largest set that always fits 64 KiB, and 71,285 for n = 32: a 32-validator
 * chain relays such a proof only because its signatures run shorter than the maximum (they do,
 * measured above), or with a smaller lock. Decoding enforces the 64 KiB bound on the whole
 * payload; the encoder refuses a proof that does not fit.
 */
public final class CaesarCodec {

  public static final int VERSION = 2;
  public static final int MAX_MEMO_BYTES = 256;
  /** A bft header is 166 bytes whatever the validator set (it commits its parent QC by digest). */
  public static final int MAX_HEADER_BYTES = 1024;
  /**
   * A 32-validator commit certificate: vote data (88), u16 count, 22 signatures each with u16
   * signer, u32 length and at most 1,462 bytes: 32,386 bytes at most.
   */
  public static final int MAX_CERTIFICATE_BYTES = 32 * 1024;
  public static final int MAX_BODY_BYTES = 32 * 1024;

  private static final int TRANSFER = 1;
  private static final int BOND = 2;
  private static final int UNBOND = 3;
  private static final int LOCK = 4;
  private static final int BURN = 5;
  private static final int REDEEM = 6;
  private static final int REGISTER = 7;
  private static final int FOLLOW = 8;

  private CaesarCodec() {}

  /** A payload, or why the bytes are not one. */
  public sealed interface Decoded permits Valid, Malformed {}

  /** @param authorization the owner's, for every operation but a redemption (null) */
  public record Valid(CaesarTransaction transaction, OwnerAuthorization authorization)
      implements Decoded {}

  public record Malformed(String reason) implements Decoded {}

  /** The envelope kind for a payload; each operation has its own. */
  public static TransactionKind kindOf(CaesarTransaction tx) {
    if (tx instanceof CaesarTransaction.Transfer) {
      return TransactionKind.TOKEN_TRANSFER;
    }
    if (tx instanceof CaesarTransaction.Bond) {
      return TransactionKind.STAKE_BOND;
    }
    if (tx instanceof CaesarTransaction.Unbond) {
      return TransactionKind.STAKE_UNBOND;
    }
    if (tx instanceof CaesarTransaction.Lock) {
      return TransactionKind.BRIDGE_LOCK;
    }
    if (tx instanceof CaesarTransaction.Burn) {
      return TransactionKind.BRIDGE_BURN;
    }
    if (tx instanceof CaesarTransaction.Register) {
      return TransactionKind.BRIDGE_REGISTER;
    }
    if (tx instanceof CaesarTransaction.Follow) {
      return TransactionKind.BRIDGE_FOLLOW;
    }
    return TransactionKind.BRIDGE_REDEEM;
  }

  /** Whether envelopes of {@code kind} carry a Caesar payload. */
  public static boolean isCaesar(TransactionKind kind) {
    return switch (kind) {
      case TOKEN_TRANSFER, STAKE_BOND, STAKE_UNBOND, BRIDGE_LOCK, BRIDGE_BURN, BRIDGE_REDEEM,
          BRIDGE_REGISTER, BRIDGE_FOLLOW -> true;
      default -> false;
    };
  }

  /** Whether {@code tx} must carry an owner authorization (all but a redemption or a follow). */
  public static boolean needsOwner(CaesarTransaction tx) {
    return !(tx instanceof CaesarTransaction.Redeem || tx instanceof CaesarTransaction.Follow);
  }

  /** Encodes a redemption or a follow (the operations without an owner). */
  public static byte[] encode(CaesarTransaction tx) {
    return encode(tx, null);
  }

  /**
   * Encodes; throws IllegalArgumentException for a value the decoder would refuse, or when
   * {@code owner} is missing for an operation that needs it (or given for a redemption).
   */
  public static byte[] encode(CaesarTransaction tx, OwnerAuthorization owner) {
    if (needsOwner(tx) != (owner != null)) {
      throw new IllegalArgumentException(needsOwner(tx)
          ? "a " + tx.getClass().getSimpleName() + " needs the owner's authorization"
          : "a redemption or a follow carries no owner authorization");
    }
    Out out = write(tx);
    if (owner != null) {
      out.u8(owner.chainBytes().size());
      for (byte[] der : owner.chainBytes()) {
        out.u16(der.length).raw(der);
      }
      out.u16(owner.signatureBytes().length).raw(owner.signatureBytes());
    }
    byte[] bytes = out.toByteArray();
    if (bytes.length > Transaction.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload of " + bytes.length + " bytes exceeds "
          + Transaction.MAX_PAYLOAD_BYTES);
    }
    Decoded back = decode(bytes);
    if (back instanceof Malformed m) {
      throw new IllegalArgumentException("not encodable: " + m.reason());
    }
    return bytes;
  }

  /**
   * The operation's encoding without the owner authorization: what {@link
   * OwnerAuthorization#signedBytes} covers. Throws IllegalArgumentException for a value the
   * decoder would refuse.
   */
  public static byte[] operationBytes(CaesarTransaction tx) {
    if (tx instanceof CaesarTransaction.Bond b && (b.amount() <= 0 || b.nonce() < 0)
        || tx instanceof CaesarTransaction.Unbond u && (u.amount() <= 0 || u.nonce() < 0)
        || tx instanceof CaesarTransaction.Transfer t && (t.amount() <= 0 || t.nonce() < 0)
        || tx instanceof CaesarTransaction.Lock l && (l.amount() <= 0 || l.nonce() < 0)
        || tx instanceof CaesarTransaction.Burn x && (x.amount() <= 0 || x.nonce() < 0)
        || tx instanceof CaesarTransaction.Register g
            && (g.nonce() < 0 || g.trustedFromHeight() < 0)) {
      throw new IllegalArgumentException("not encodable: amounts must be positive, nonces and "
          + "heights non-negative");
    }
    return write(tx).toByteArray();
  }

  private static Out write(CaesarTransaction tx) {
    Out out = new Out();
    out.u8(VERSION);
    if (tx instanceof CaesarTransaction.Transfer t) {
      byte[] memo = t.memo().getBytes(StandardCharsets.UTF_8);
      if (memo.length > MAX_MEMO_BYTES) {
        throw new IllegalArgumentException("memo exceeds " + MAX_MEMO_BYTES + " bytes");
      }
      out.u8(TRANSFER).u64(t.nonce()).digest(t.to()).u64(t.amount()).u16(memo.length).raw(memo);
    } else if (tx instanceof CaesarTransaction.Bond b) {
      out.u8(BOND).u64(b.nonce()).u64(b.amount());
    } else if (tx instanceof CaesarTransaction.Unbond u) {
      out.u8(UNBOND).u64(u.nonce()).u64(u.amount());
    } else if (tx instanceof CaesarTransaction.Lock l) {
      out.u8(LOCK).u64(l.nonce()).digest(l.remoteChain()).digest(l.recipient()).u64(l.amount());
    } else if (tx instanceof CaesarTransaction.Burn b) {
      out.u8(BURN).u64(b.nonce()).digest(b.remoteChain()).digest(b.recipient()).u64(b.amount());
    } else if (tx instanceof CaesarTransaction.Register g) {
      out.u8(REGISTER).u64(g.nonce()).digest(g.remoteChain()).u64(g.trustedFromHeight());
      out.u8(g.keyBytes().size());
      for (byte[] key : g.keyBytes()) {
        out.u16(key.length).raw(key);
      }
    } else if (tx instanceof CaesarTransaction.Follow f) {
      out.u8(FOLLOW).digest(f.sourceChain());
      proof(out, f.proof(), true);
    } else {
      CaesarTransaction.Redeem r = (CaesarTransaction.Redeem) tx;
      out.u8(REDEEM).digest(r.sourceChain()).digest(r.recipient()).u64(r.amount());
      proof(out, r.proof(), false);
      out.u8(r.attestations().size());
      for (ExecutionAttestation a : r.attestations()) {
        byte[] signature = a.signature();
        if (a.validator() < 0 || a.validator() > 0xffff || signature.length == 0
            || signature.length > Falcon.MAX_SIGNATURE_BYTES) {
          throw new IllegalArgumentException("attestation of validator " + a.validator()
              + " with a signature of " + signature.length + " B");
        }
        out.u16(a.validator()).u16(signature.length).raw(signature);
      }
    }
    return out;
  }

  /** An inclusion proof; {@code wideBody}: a u32 body length up to 64 KiB (a follow's). */
  private static void proof(Out out, InclusionProof p, boolean wideBody) {
    byte[] cert = Codec.encode(p.certificate());
    byte[] body = p.transaction().body();
    int maxBody = wideBody ? Transaction.MAX_PAYLOAD_BYTES : MAX_BODY_BYTES;
    if (p.headers().size() > InclusionProof.MAX_HEADERS || cert.length > MAX_CERTIFICATE_BYTES
        || body.length > maxBody || p.path().size() > MerkleTree.MAX_PATH) {
      throw new IllegalArgumentException("proof exceeds the payload bounds: "
          + p.headers().size() + " headers, certificate " + cert.length + " B, body "
          + body.length + " B, path " + p.path().size());
    }
    out.u8(p.headers().size());
    for (BlockHeader h : p.headers()) {
      byte[] header = Codec.encodeHeader(h);
      if (header.length > MAX_HEADER_BYTES) {
        throw new IllegalArgumentException("header at height " + h.height() + " of "
            + header.length + " B exceeds " + MAX_HEADER_BYTES);
      }
      out.u32(header.length).raw(header);
    }
    out.u16(cert.length).raw(cert);
    out.digest(p.transaction().id());
    if (wideBody) {
      out.u32(body.length);
    } else {
      out.u16(body.length);
    }
    out.raw(body);
    out.u32(p.index()).u8(p.path().size());
    for (Digest d : p.path()) {
      out.digest(d);
    }
  }

  /** Never throws: anything but exactly one valid encoding is {@link Malformed}. */
  public static Decoded decode(byte[] bytes) {
    if (bytes == null) {
      return new Malformed("no bytes");
    }
    if (bytes.length > Transaction.MAX_PAYLOAD_BYTES) {
      return new Malformed("payload of " + bytes.length + " bytes exceeds "
          + Transaction.MAX_PAYLOAD_BYTES);
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      int version = in.get() & 0xff;
      if (version != VERSION) {
        throw new Bad("unknown payload version " + version);
      }
      int op = in.get() & 0xff;
      CaesarTransaction tx = switch (op) {
        case TRANSFER -> new CaesarTransaction.Transfer(
            nonce(in), digest(in), amount(in), memo(in));
        case BOND -> new CaesarTransaction.Bond(nonce(in), amount(in));
        case UNBOND -> new CaesarTransaction.Unbond(nonce(in), amount(in));
        case LOCK -> new CaesarTransaction.Lock(nonce(in), digest(in), digest(in), amount(in));
        case BURN -> new CaesarTransaction.Burn(nonce(in), digest(in), digest(in), amount(in));
        case REDEEM -> redeem(in);
        case REGISTER -> register(in);
        case FOLLOW -> new CaesarTransaction.Follow(digest(in), proof(in, true));
        default -> throw new Bad("unknown operation " + op);
      };
      OwnerAuthorization owner = needsOwner(tx) ? owner(in) : null;
      if (in.hasRemaining()) {
        throw new Bad(in.remaining() + " bytes after the end of the payload");
      }
      return new Valid(tx, owner);
    } catch (Bad e) {
      return new Malformed(e.getMessage());
    } catch (BufferUnderflowException e) {
      return new Malformed("truncated payload");
    }
  }

  private static CaesarTransaction.Redeem redeem(ByteBuffer in) throws Bad {
    Digest sourceChain = digest(in);
    Digest recipient = digest(in);
    long amount = amount(in);
    InclusionProof proof = proof(in, false);
    return redeemTail(in, sourceChain, recipient, amount, proof);
  }

  /** An inclusion proof; {@code wideBody}: a u32 body length up to 64 KiB (a follow's). */
  private static InclusionProof proof(ByteBuffer in, boolean wideBody) throws Bad {
    int count = in.get() & 0xff;
    if (count < 1 || count > InclusionProof.MAX_HEADERS) {
      throw new Bad("proof of " + count + " headers, must be 1.." + InclusionProof.MAX_HEADERS);
    }
    List<BlockHeader> headers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = length(in.getInt() & 0xffffffffL, MAX_HEADER_BYTES, "header " + i);
      if (length == 0) {
        throw new Bad("header " + i + " of 0 bytes");
      }
      Codec.Decoded<BlockHeader> header = Codec.decodeHeader(bytes(in, length));
      if (!header.ok()) {
        throw new Bad("header " + i + ": " + header.error());
      }
      headers.add(header.value());
    }
    byte[] certBytes = bytes(in, length(in.getShort() & 0xffff, MAX_CERTIFICATE_BYTES,
        "certificate"));
    Codec.Decoded<CommitCertificate> cert = Codec.decodeCommitCertificate(certBytes);
    if (!cert.ok()) {
      throw new Bad("commit certificate: " + cert.error());
    }
    Digest txId = digest(in);
    byte[] body = wideBody
        ? bytes(in, length(in.getInt() & 0xffffffffL, Transaction.MAX_PAYLOAD_BYTES,
            "transaction body"))
        : bytes(in, length(in.getShort() & 0xffff, MAX_BODY_BYTES, "transaction body"));
    long index = in.getInt() & 0xffffffffL;
    if (index > Integer.MAX_VALUE) {
      throw new Bad("leaf index " + index + " out of range");
    }
    int pathLength = in.get() & 0xff;
    if (pathLength > MerkleTree.MAX_PATH) {
      throw new Bad("path of " + pathLength + " hashes, at most " + MerkleTree.MAX_PATH);
    }
    List<Digest> path = new ArrayList<>(pathLength);
    for (int i = 0; i < pathLength; i++) {
      path.add(digest(in));
    }
    return new InclusionProof(headers, cert.value(),
        new online.hypermesh.protocol.consensus.bft.Transaction(txId, body), (int) index, path);
  }

  private static CaesarTransaction.Redeem redeemTail(ByteBuffer in, Digest sourceChain,
      Digest recipient, long amount, InclusionProof proof) throws Bad {
    int attestationCount = in.get() & 0xff;
    if (attestationCount > CaesarTransaction.Redeem.MAX_ATTESTATIONS) {
      throw new Bad(attestationCount + " attestations, at most "
          + CaesarTransaction.Redeem.MAX_ATTESTATIONS);
    }
    List<ExecutionAttestation> attestations = new ArrayList<>(attestationCount);
    for (int i = 0; i < attestationCount; i++) {
      int validator = in.getShort() & 0xffff;
      int length = length(in.getShort() & 0xffff, Falcon.MAX_SIGNATURE_BYTES,
          "attestation " + i + " signature");
      if (length == 0) {
        throw new Bad("attestation " + i + " has an empty signature");
      }
      attestations.add(new ExecutionAttestation(validator, bytes(in, length)));
    }
    return new CaesarTransaction.Redeem(sourceChain, recipient, amount, proof, attestations);
  }

  private static CaesarTransaction.Register register(ByteBuffer in) throws Bad {
    long nonce = nonce(in);
    Digest remoteChain = digest(in);
    long from = in.getLong();
    if (from < 0) {
      throw new Bad("trusted-from height must be non-negative");
    }
    int n = in.get() & 0xff;
    if (n < 1 || n > CaesarTransaction.Register.MAX_KEYS) {
      throw new Bad("registration of " + n + " validator keys, must be 1.."
          + CaesarTransaction.Register.MAX_KEYS);
    }
    List<byte[]> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = length(in.getShort() & 0xffff, CaesarTransaction.Register.MAX_KEY_BYTES,
          "validator key " + i);
      if (length == 0) {
        throw new Bad("validator key " + i + " of 0 bytes");
      }
      keys.add(bytes(in, length));
    }
    return new CaesarTransaction.Register(nonce, remoteChain, from, keys);
  }

  private static OwnerAuthorization owner(ByteBuffer in) throws Bad {
    int n = in.get() & 0xff;
    if (n < 1 || n > CertificateVerifier.MAX_CHAIN) {
      throw new Bad("owner chain of " + n + " certificates, must be 1.."
          + CertificateVerifier.MAX_CHAIN);
    }
    List<byte[]> chain = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = length(in.getShort() & 0xffff, OwnerAuthorization.MAX_CERTIFICATE_BYTES,
          "owner certificate");
      if (length == 0) {
        throw new Bad("owner certificate of 0 bytes");
      }
      chain.add(bytes(in, length));
    }
    int length = length(in.getShort() & 0xffff, Falcon.MAX_SIGNATURE_BYTES, "owner signature");
    if (length == 0) {
      throw new Bad("owner signature of 0 bytes");
    }
    return new OwnerAuthorization(chain, bytes(in, length));
  }

  private static long nonce(ByteBuffer in) throws Bad {
    long nonce = in.getLong();
    if (nonce < 0) {
      throw new Bad("nonce must be non-negative");
    }
    return nonce;
  }

  private static long amount(ByteBuffer in) throws Bad {
    long amount = in.getLong();
    if (amount <= 0) {
      throw new Bad("amount must be positive, not " + Long.toUnsignedString(amount));
    }
    return amount;
  }

  private static Digest digest(ByteBuffer in) {
    return Digest.of(bytes(in, Digest.LENGTH));
  }

  private static String memo(ByteBuffer in) throws Bad {
    int n = length(in.getShort() & 0xffff, MAX_MEMO_BYTES, "memo");
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes(in, n))).toString();
    } catch (CharacterCodingException e) {
      throw new Bad("memo is not valid UTF-8");
    }
  }

  private static int length(long n, int max, String what) throws Bad {
    if (n > max) {
      throw new Bad(what + " of " + n + " bytes exceeds " + max);
    }
    return (int) n;
  }

  private static byte[] bytes(ByteBuffer in, int n) {
    if (in.remaining() < n) {
      throw new BufferUnderflowException();
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private static final class Bad extends Exception {
    Bad(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Out {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    Out u8(int v) {
      buf.write(v);
      return this;
    }

    Out u16(int v) {
      return u8(v >>> 8).u8(v);
    }

    Out u32(long v) {
      return u16((int) (v >>> 16) & 0xffff).u16((int) v & 0xffff);
    }

    Out u64(long v) {
      return u32(v >>> 32).u32(v & 0xffffffffL);
    }

    Out digest(Digest d) {
      return raw(d.bytes());
    }

    Out raw(byte[] b) {
      buf.writeBytes(b);
      return this;
    }

    byte[] toByteArray() {
      return buf.toByteArray();
    }
  }
}
