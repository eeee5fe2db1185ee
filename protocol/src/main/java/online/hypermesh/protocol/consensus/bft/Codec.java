package online.hypermesh.protocol.consensus.bft;

import java.util.function.Function;

/**
 * The canonical wire and storage encoding of consensus messages, certificates and the safety
 * state. Every length is prefixed and bounded; decoders never throw: malformed input comes back as
 * a {@link Decoded} refusal with the reason.
 */
public final class Codec {

  public static final int MAX_VALIDATORS = 1024;
  /** FALCON-1024 signatures are at most 1462 bytes; some slack for other schemes. */
  public static final int MAX_SIGNATURE_BYTES = 2048;
  public static final int MAX_TRANSACTION_BYTES = 1 << 20;
  public static final int MAX_TRANSACTIONS = 20_000;
  public static final int MAX_BLOCKS_PER_RESPONSE = 256;
  /** Whole messages; a block response may hold several full blocks. */
  public static final int MAX_MESSAGE_BYTES = 64 << 20;

  static final int VERSION = 1;
  private static final int PROPOSAL = 1;
  private static final int VOTE = 2;
  private static final int TIMEOUT = 3;
  private static final int BLOCK_REQUEST = 4;
  private static final int BLOCK_RESPONSE = 5;
  private static final int TRANSACTION_SHARE = 6;

  private Codec() {}

  /** A decoded value, or why the bytes were refused. */
  public record Decoded<T>(T value, String error) {

    public boolean ok() {
      return error == null;
    }
  }

  public static byte[] encode(ConsensusMessage message) {
    WireWriter w = new WireWriter().u8(VERSION);
    // Java 17: no pattern switch; the interface is sealed, so this chain is exhaustive.
    if (message instanceof Proposal p) {
      p.encode(w.u8(PROPOSAL));
    } else if (message instanceof Vote v) {
      v.encode(w.u8(VOTE));
    } else if (message instanceof Timeout t) {
      t.encode(w.u8(TIMEOUT));
    } else if (message instanceof BlockRequest q) {
      q.encode(w.u8(BLOCK_REQUEST));
    } else if (message instanceof BlockResponse s) {
      s.encode(w.u8(BLOCK_RESPONSE));
    } else if (message instanceof TransactionShare t) {
      t.encode(w.u8(TRANSACTION_SHARE));
    }
    return w.toByteArray();
  }

  public static Decoded<ConsensusMessage> decodeMessage(byte[] bytes) {
    return decode(bytes, r -> {
      int version = r.u8("version");
      if (version != VERSION) {
        throw new WireReader.Malformed("unknown version " + version);
      }
      int type = r.u8("message type");
      return switch (type) {
        case PROPOSAL -> Proposal.decode(r);
        case VOTE -> Vote.decode(r);
        case TIMEOUT -> Timeout.decode(r);
        case BLOCK_REQUEST -> BlockRequest.decode(r);
        case BLOCK_RESPONSE -> BlockResponse.decode(r);
        case TRANSACTION_SHARE -> TransactionShare.decode(r);
        default -> throw new WireReader.Malformed("unknown message type " + type);
      };
    });
  }

  public static byte[] encode(Block block) {
    WireWriter w = new WireWriter();
    block.encode(w);
    return w.toByteArray();
  }

  public static Decoded<Block> decodeBlock(byte[] bytes) {
    return decode(bytes, Block::decode);
  }

  /** A header alone (no transactions): what light clients carry. */
  public static byte[] encodeHeader(BlockHeader header) {
    WireWriter w = new WireWriter();
    header.encode(w);
    return w.toByteArray();
  }

  public static Decoded<BlockHeader> decodeHeader(byte[] bytes) {
    return decode(bytes, BlockHeader::decode);
  }

  public static byte[] encode(QuorumCert qc) {
    WireWriter w = new WireWriter();
    qc.encode(w);
    return w.toByteArray();
  }

  public static Decoded<QuorumCert> decodeQuorumCert(byte[] bytes) {
    return decode(bytes, QuorumCert::decode);
  }

  public static byte[] encode(TimeoutCert tc) {
    WireWriter w = new WireWriter();
    tc.encode(w);
    return w.toByteArray();
  }

  public static Decoded<TimeoutCert> decodeTimeoutCert(byte[] bytes) {
    return decode(bytes, TimeoutCert::decode);
  }

  public static byte[] encode(CommitCertificate cert) {
    return encode(cert.qc());
  }

  public static Decoded<CommitCertificate> decodeCommitCertificate(byte[] bytes) {
    return decode(bytes, r -> new CommitCertificate(QuorumCert.decode(r)));
  }

  public static byte[] encode(SafetyState state) {
    WireWriter w = new WireWriter().u8(VERSION);
    state.encode(w);
    return w.toByteArray();
  }

  public static Decoded<SafetyState> decodeSafetyState(byte[] bytes) {
    return decode(bytes, r -> {
      int version = r.u8("version");
      if (version != VERSION) {
        throw new WireReader.Malformed("unknown version " + version);
      }
      return SafetyState.decode(r);
    });
  }

  private static <T> Decoded<T> decode(byte[] bytes, Function<WireReader, T> body) {
    if (bytes == null) {
      return new Decoded<>(null, "no bytes");
    }
    if (bytes.length > MAX_MESSAGE_BYTES) {
      return new Decoded<>(null, bytes.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
    }
    try {
      WireReader r = new WireReader(bytes);
      T value = body.apply(r);
      r.end();
      return new Decoded<>(value, null);
    } catch (WireReader.Malformed e) {
      return new Decoded<>(null, e.getMessage());
    } catch (RuntimeException e) {
      // Constructors reject some values (e.g. negative counts); report, never propagate.
      return new Decoded<>(null, "malformed: " + e);
    }
  }
}
