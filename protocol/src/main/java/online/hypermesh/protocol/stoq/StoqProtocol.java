package online.hypermesh.protocol.stoq;

/** Constants both ends of STOQ must agree on, beyond the frame layout in {@link FrameCodec}. */
public final class StoqProtocol {

  /** TLS ALPN id. DNS-over-QUIC will be offered side by side as {@code doq} (later issue). */
  public static final String ALPN = "stoq/1";

  /**
   * Hybrid post-quantum TLS 1.3 key exchange (X25519 + ML-KEM-768), preferred: a recorded session
   * cannot be decrypted later by a quantum computer. The STOQ handshake proper (ML-KEM-1024 +
   * FALCON-1024) is a later issue; this protects the transport until then.
   */
  public static final String GROUP_X25519_MLKEM768 = "X25519MLKEM768";

  /** Classical fallback for peers (or native libraries) without the hybrid group. */
  public static final String GROUP_X25519 = "X25519";

  /** QUIC application close code: orderly shutdown, no error. */
  public static final int CLOSE_NO_ERROR = 0x0;

  /** QUIC stream error code used with STOP_SENDING/RESET_STREAM when a stream is abandoned. */
  public static final int STREAM_ABORTED = 0x1;

  private StoqProtocol() {}
}
