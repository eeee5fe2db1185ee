package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import javax.crypto.AEADBadTagException;
import online.hypermesh.protocol.crypto.AesGcm;

/**
 * What a finished STOQ handshake leaves for one connection: the authenticated peer, whether
 * payloads are sealed, and the two direction keys.
 *
 * <p>Sealing: payload' = AES-256-GCM(key of the sending direction, nonce, aad = the 12 header
 * bytes after the length prefix: version, type, flags, correlation id; plaintext = payload);
 * payload' = ciphertext || 16-byte tag. nonce = direction IV XOR (u64 QUIC stream id || u32
 * frame counter), the counter counting that direction's frames on that stream from 0. QUIC never
 * reuses a stream id within a connection and the keys are new per connection, so no nonce repeats
 * under a key; and since the receiver computes the nonce from its own count, a frame replayed,
 * dropped, reordered or moved to another stream fails to open. Stream 0 is the handshake stream
 * and never carries sealed frames; (stream 0, counter 0) under the server key is used once, for
 * the ServerFinished key confirmation.
 */
final class StoqSession {

  /** Frames per stream and direction before the counter would wrap. */
  static final long MAX_FRAMES_PER_STREAM = 0xFFFF_FFFFL;

  private final StoqPeer peer;
  private final boolean payloadProtection;
  private final AesGcm sendKey;
  private final byte[] sendIv;
  private final AesGcm receiveKey;
  private final byte[] receiveIv;

  StoqSession(
      StoqPeer peer,
      boolean payloadProtection,
      AesGcm sendKey,
      byte[] sendIv,
      AesGcm receiveKey,
      byte[] receiveIv) {
    this.peer = peer;
    this.payloadProtection = payloadProtection;
    this.sendKey = sendKey;
    this.sendIv = sendIv;
    this.receiveKey = receiveKey;
    this.receiveIv = receiveIv;
  }

  /** Development mode: no handshake, nothing sealed. */
  static StoqSession unauthenticated(StoqPeer peer) {
    return new StoqSession(peer, false, null, null, null, null);
  }

  StoqPeer peer() {
    return peer;
  }

  boolean payloadProtection() {
    return payloadProtection;
  }

  /** Bytes sealing adds to a payload. */
  int overhead() {
    return payloadProtection ? AesGcm.TAG_BYTES : 0;
  }

  static byte[] nonce(byte[] iv, long streamId, long counter) {
    if (counter < 0 || counter > MAX_FRAMES_PER_STREAM) {
      throw new StoqException(StoqError.SEAL_FAILED, "frame counter exhausted on this stream");
    }
    byte[] nonce = iv.clone();
    for (int i = 0; i < 8; i++) {
      nonce[i] ^= (byte) (streamId >>> (56 - 8 * i));
    }
    for (int i = 0; i < 4; i++) {
      nonce[8 + i] ^= (byte) (counter >>> (24 - 8 * i));
    }
    return nonce;
  }

  static byte[] aad(Frame frame) {
    byte[] aad = new byte[FrameCodec.HEADER_BYTES];
    aad[0] = (byte) FrameCodec.VERSION;
    aad[1] = (byte) frame.type().code();
    aad[2] = (byte) (frame.flags() >>> 8);
    aad[3] = (byte) frame.flags();
    long id = frame.correlationId();
    for (int i = 0; i < 8; i++) {
      aad[4 + i] = (byte) (id >>> (56 - 8 * i));
    }
    return aad;
  }

  /** The frame with its payload sealed; releases {@code frame}. Identity when protection is off. */
  Frame seal(Frame frame, long streamId, long counter) {
    if (!payloadProtection) {
      return frame;
    }
    try {
      ByteBuf payload = frame.payload();
      byte[] plain = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), plain);
      byte[] sealed = sendKey.seal(nonce(sendIv, streamId, counter), aad(frame), plain, 0,
          plain.length);
      return new Frame(frame.type(), frame.flags(), frame.correlationId(),
          Unpooled.wrappedBuffer(sealed));
    } finally {
      frame.release();
    }
  }

  /**
   * The frame with its payload opened; releases {@code frame}. Identity when protection is off.
   *
   * @throws StoqException SEAL_FAILED when the payload does not authenticate
   */
  Frame open(Frame frame, long streamId, long counter) {
    if (!payloadProtection) {
      return frame;
    }
    try {
      ByteBuf payload = frame.payload();
      byte[] sealed = new byte[payload.readableBytes()];
      payload.getBytes(payload.readerIndex(), sealed);
      byte[] plain =
          receiveKey.open(nonce(receiveIv, streamId, counter), aad(frame), sealed, 0,
              sealed.length);
      return new Frame(frame.type(), frame.flags(), frame.correlationId(),
          Unpooled.wrappedBuffer(plain));
    } catch (AEADBadTagException e) {
      throw new StoqException(
          StoqError.SEAL_FAILED,
          "sealed " + frame.type() + " payload (correlation id " + frame.correlationId()
              + ", frame " + counter + " on stream " + streamId + ") failed authentication");
    } finally {
      frame.release();
    }
  }
}
