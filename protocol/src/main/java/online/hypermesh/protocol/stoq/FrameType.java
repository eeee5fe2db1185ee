package online.hypermesh.protocol.stoq;

/**
 * The u8 frame type. Only the types listed here are accepted by the v1 decoder; everything else
 * is answered with {@link StoqError#UNKNOWN_FRAME_TYPE}.
 *
 * <p>Reserved numbers (do not reuse for anything else):
 *
 * <ul>
 *   <li>0 — never valid, so zero-filled garbage is rejected;
 *   <li>4 — {@link #HANDSHAKE}, only valid on the handshake stream (see {@link StoqHandshake});
 *   <li>5 — {@link #STREAM_DATA}, 6 — {@link #STREAM_END} (streamed uploads and downloads; only
 *       accepted where a decoder is told to, see {@link FrameCodec});
 *   <li>7 — {@link #CANCEL} (abandon a correlation id; same acceptance as 5 and 6);
 *   <li>8 — {@link #LINK} (a long-lived message link; same acceptance as 5..7);
 *   <li>9..0x7F — future core types; 0x80..0xFF — experiments and extensions.
 * </ul>
 */
public enum FrameType {
  REQUEST(1),
  RESPONSE(2),
  ERROR(3),
  /**
   * A STOQ handshake message ({@link HandshakeMessage}), correlation id 0. Accepted only on the
   * first bidirectional stream of a connection; on request streams it is answered with
   * UNKNOWN_FRAME_TYPE like any type not allowed there.
   */
  HANDSHAKE(4),
  /**
   * One chunk of a streamed upload ({@link StoqClient#upload}) or download ({@link
   * StoqClient#download}); all chunks carry the transfer's correlation id. Accepted only on request streams of a server, never by the plain
   * {@link FrameCodec#decode(io.netty.buffer.ByteBuf, int)} (which keeps v1's REQUEST/RESPONSE/ERROR
   * view of the wire).
   */
  STREAM_DATA(5),
  /**
   * The end of a streamed transfer (empty payload). After an upload it is answered with one
   * RESPONSE or ERROR; from the server it completes a download (with FIN).
   */
  STREAM_END(6),
  /**
   * Client to server: abandon the upload, download or request with this correlation id (empty
   * payload, sealed like any frame). The server stops producing, releases what it holds for it
   * and answers ERROR {@link StoqError#CANCELLED} (with FIN for a transfer); a CANCEL for an id
   * already answered is ignored. Only accepted where STREAM_DATA is.
   */
  CANCEL(7),
  /**
   * One message of a link ({@link StoqLink}): a long-lived stream on which both ends send
   * messages (the cluster's remoting PDUs). The first frame of the stream, from the client, has
   * {@link FrameCodec#FLAG_LINK_OPEN} and the link's opening payload; the server accepts with an
   * empty LINK frame with the same flag, or refuses with one ERROR and FIN. After that each LINK
   * frame (no flags) carries one message, sealed like any frame; either end closes with FIN.
   * Correlation id 0. Only accepted where STREAM_DATA is.
   */
  LINK(8);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /** The u8 wire code. */
  public int code() {
    return code;
  }

  /** The type for a wire code (0..255), or null when this version does not know it. */
  static FrameType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
