package online.hypermesh.protocol.stoq;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * STOQ transport settings, shared by {@link StoqServer} and {@link StoqClient} (a client ignores
 * the bind address and port). The node maps its HOCON config onto this record; nothing here reads
 * configuration.
 *
 * @param bindAddress IPv6 address to listen on: {@code ::} for all interfaces, {@code ::1} for
 *     loopback only. IPv4 addresses are rejected: STOQ is IPv6-only.
 * @param port UDP port; 0 picks a free one (tests)
 * @param maxFrameBytes largest encoded frame accepted or sent, including the 4-byte length prefix
 * @param idleTimeout QUIC max_idle_timeout: a connection with no traffic this long is closed
 * @param maxBidiStreams how many bidirectional streams a peer may have open at once (one per
 *     in-flight client request)
 * @param initialMaxData connection-level flow-control window, bytes
 * @param initialMaxStreamData per-stream flow-control window, bytes
 * @param requestTimeout client: how long a request may take; server: how long a handler may take
 * @param handshakeTimeout how long the QUIC/TLS handshake plus the STOQ handshake may take before
 *     the attempt is dropped
 * @param payloadProtection ON (default): after the STOQ handshake every REQUEST, RESPONSE and
 *     ERROR payload is sealed with AES-256-GCM under keys from the ML-KEM-1024 exchange (see
 *     {@link StoqSession}), so payloads stay confidential and tamper-evident even against someone
 *     who breaks or holds the TLS layer. OFF: payloads travel as plain frames inside QUIC/TLS, so
 *     their confidentiality and integrity rest on TLS 1.3 with X25519MLKEM768 alone; peers are
 *     still authenticated by the STOQ handshake. Protection is on for a connection when either
 *     end asks for it.
 */
public record StoqSettings(
    InetAddress bindAddress,
    int port,
    int maxFrameBytes,
    Duration idleTimeout,
    long maxBidiStreams,
    long initialMaxData,
    long initialMaxStreamData,
    Duration requestTimeout,
    Duration handshakeTimeout,
    boolean payloadProtection) {

  public static final int DEFAULT_PORT = 8443;
  public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
  /** Below this an ERROR frame with a full message might not fit. */
  public static final int MIN_MAX_FRAME_BYTES =
      FrameCodec.MIN_FRAME_BYTES + ErrorPayload.CODE_BYTES + ErrorPayload.MAX_MESSAGE_BYTES;
  /** Frames are buffered whole; bigger transfers will use STREAM_DATA frames (later issue). */
  public static final int MAX_MAX_FRAME_BYTES = 64 * 1024 * 1024;

  /** The settings of earlier versions, with payload protection ON. */
  public StoqSettings(
      InetAddress bindAddress,
      int port,
      int maxFrameBytes,
      Duration idleTimeout,
      long maxBidiStreams,
      long initialMaxData,
      long initialMaxStreamData,
      Duration requestTimeout,
      Duration handshakeTimeout) {
    this(bindAddress, port, maxFrameBytes, idleTimeout, maxBidiStreams, initialMaxData,
        initialMaxStreamData, requestTimeout, handshakeTimeout, true);
  }

  public StoqSettings {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    if (!(bindAddress instanceof Inet6Address)) {
      throw new IllegalArgumentException(
          "STOQ is IPv6-only; bind address must be IPv6 (e.g. :: or ::1): " + bindAddress);
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxFrameBytes < MIN_MAX_FRAME_BYTES || maxFrameBytes > MAX_MAX_FRAME_BYTES) {
      throw new IllegalArgumentException(
          "maxFrameBytes must be in " + MIN_MAX_FRAME_BYTES + ".." + MAX_MAX_FRAME_BYTES
              + ": " + maxFrameBytes);
    }
    requirePositive(idleTimeout, "idleTimeout");
    requirePositive(requestTimeout, "requestTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    if (maxBidiStreams < 1) {
      throw new IllegalArgumentException("maxBidiStreams must be >= 1: " + maxBidiStreams);
    }
    if (initialMaxData < 1 || initialMaxStreamData < 1) {
      throw new IllegalArgumentException("flow-control windows must be >= 1 byte");
    }
  }

  /**
   * Production defaults: {@code [::]:8443}, 1 MiB frames, 30 s idle, 256 concurrent streams,
   * 16 MiB connection / 2 MiB stream windows (room for a max-size frame in flight), 10 s request
   * and handshake timeouts, payload protection ON.
   */
  public static StoqSettings defaults() {
    return new StoqSettings(
        ipv6("::"),
        DEFAULT_PORT,
        DEFAULT_MAX_FRAME_BYTES,
        Duration.ofSeconds(30),
        256,
        16L * 1024 * 1024,
        2L * 1024 * 1024,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        true);
  }

  public StoqSettings withBind(InetAddress address, int port) {
    return new StoqSettings(
        address, port, maxFrameBytes, idleTimeout, maxBidiStreams, initialMaxData,
        initialMaxStreamData, requestTimeout, handshakeTimeout, payloadProtection);
  }

  public StoqSettings withMaxFrameBytes(int bytes) {
    return new StoqSettings(
        bindAddress, port, bytes, idleTimeout, maxBidiStreams, initialMaxData,
        initialMaxStreamData, requestTimeout, handshakeTimeout, payloadProtection);
  }

  public StoqSettings withMaxBidiStreams(long streams) {
    return new StoqSettings(
        bindAddress, port, maxFrameBytes, idleTimeout, streams, initialMaxData,
        initialMaxStreamData, requestTimeout, handshakeTimeout, payloadProtection);
  }

  public StoqSettings withTimeouts(Duration request, Duration handshake) {
    return new StoqSettings(
        bindAddress, port, maxFrameBytes, idleTimeout, maxBidiStreams, initialMaxData,
        initialMaxStreamData, request, handshake, payloadProtection);
  }

  public StoqSettings withPayloadProtection(boolean on) {
    return new StoqSettings(
        bindAddress, port, maxFrameBytes, idleTimeout, maxBidiStreams, initialMaxData,
        initialMaxStreamData, requestTimeout, handshakeTimeout, on);
  }

  /** The largest REQUEST/RESPONSE payload a frame can carry with these settings. */
  public int maxPayloadBytes() {
    return maxFrameBytes - FrameCodec.MIN_FRAME_BYTES
        - (payloadProtection ? online.hypermesh.protocol.crypto.AesGcm.TAG_BYTES : 0);
  }

  /** Parses an IPv6 literal (no DNS lookup). */
  public static InetAddress ipv6(String literal) {
    try {
      InetAddress address = InetAddress.getByName(Objects.requireNonNull(literal, "literal"));
      if (!(address instanceof Inet6Address) || !literal.contains(":")) {
        throw new IllegalArgumentException("not an IPv6 literal: " + literal);
      }
      return address;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IPv6 literal: " + literal, e);
    }
  }

  private static void requirePositive(Duration duration, String name) {
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
  }
}
