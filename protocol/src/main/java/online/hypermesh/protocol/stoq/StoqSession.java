package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
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

  /**
   * The frame with its payload sealed into a new pooled direct buffer from {@code alloc}; releases
   * {@code frame}. Identity when protection is off.
   */
  Frame seal(ByteBufAllocator alloc, Frame frame, long streamId, long counter) {
    if (!payloadProtection) {
      return frame;
    }
    try {
      ByteBuf payload = frame.payload();
      ByteBuf out = alloc.directBuffer(payload.readableBytes() + AesGcm.TAG_BYTES);
      try {
        sealInto(frame, streamId, counter, out);
        return new Frame(frame.type(), frame.flags(), frame.correlationId(), out);
      } catch (RuntimeException e) {
        out.release();
        throw e;
      }
    } finally {
      frame.release();
    }
  }

  /** {@link #seal(ByteBufAllocator, Frame, long, long)} with the default (pooled) allocator. */
  Frame seal(Frame frame, long streamId, long counter) {
    return seal(ByteBufAllocator.DEFAULT, frame, streamId, counter);
  }

  /**
   * Encodes {@code frame} for the wire into one new I/O buffer from {@code alloc}, sealing its
   * payload straight into that buffer when protection is on (one pass over the payload: no
   * intermediate sealed copy). Does not release {@code frame}.
   *
   * @throws StoqException FRAME_TOO_LARGE when the encoded (sealed) frame exceeds maxFrameBytes
   */
  ByteBuf encode(ByteBufAllocator alloc, Frame frame, long streamId, long counter,
      int maxFrameBytes) {
    if (!payloadProtection) {
      return FrameCodec.encode(alloc, frame, maxFrameBytes);
    }
    int sealedBytes = frame.payload().readableBytes() + AesGcm.TAG_BYTES;
    long size = FrameCodec.encodedSize(sealedBytes);
    if (size > maxFrameBytes) {
      throw new StoqException(
          StoqError.FRAME_TOO_LARGE,
          "frame of " + size + " bytes exceeds the maximum of " + maxFrameBytes);
    }
    ByteBuf out = alloc.ioBuffer((int) size);
    try {
      out.writeInt(FrameCodec.HEADER_BYTES + sealedBytes);
      out.writeByte(FrameCodec.VERSION);
      out.writeByte(frame.type().code());
      out.writeShort(frame.flags());
      out.writeLong(frame.correlationId());
      sealInto(frame, streamId, counter, out);
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** Seals the payload of {@code frame} (not moved, not released) at out's writer index. */
  private void sealInto(Frame frame, long streamId, long counter, ByteBuf out) {
    ByteBuf payload = frame.payload();
    int plainBytes = payload.readableBytes();
    int sealedBytes = plainBytes + AesGcm.TAG_BYTES;
    out.ensureWritable(sealedBytes);
    ByteBuf copy = null;
    try {
      ByteBuffer source;
      if (payload.hasArray()) {
        source = payload.nioBuffer(payload.readerIndex(), plainBytes);
      } else {
        // Direct or composite: one contiguous copy into a pooled heap buffer. Two direct buffers
        // from the same pool chunk look "possibly overlapping" to the JDK's GCM, which then
        // allocates a heap copy of the whole output itself (see AesGcm); heap -> direct does not.
        copy = ByteBufAllocator.DEFAULT.heapBuffer(plainBytes);
        copy.writeBytes(payload, payload.readerIndex(), plainBytes);
        source = copy.nioBuffer(copy.readerIndex(), plainBytes);
      }
      ByteBuffer target = out.nioBuffer(out.writerIndex(), sealedBytes);
      int written = sendKey.seal(nonce(sendIv, streamId, counter), aad(frame), source, target);
      out.writerIndex(out.writerIndex() + written);
    } finally {
      if (copy != null) {
        copy.release();
      }
    }
  }

  /**
   * The frame with its payload opened into a new pooled heap buffer from {@code alloc} (direct
   * receive buffer -> heap: the JDK's GCM then never suspects an overlap; see {@link AesGcm});
   * releases
   * {@code frame}. Identity when protection is off.
   *
   * @throws StoqException SEAL_FAILED when the payload does not authenticate
   */
  Frame open(ByteBufAllocator alloc, Frame frame, long streamId, long counter) {
    if (!payloadProtection) {
      return frame;
    }
    ByteBuf out = null;
    ByteBuf copy = null;
    try {
      ByteBuf payload = frame.payload();
      int sealedBytes = payload.readableBytes();
      if (sealedBytes < AesGcm.TAG_BYTES) {
        throw new AEADBadTagException("no room for a tag");
      }
      ByteBuffer source;
      if (payload.nioBufferCount() == 1) {
        source = payload.nioBuffer(payload.readerIndex(), sealedBytes);
      } else {
        // Several memory regions: one contiguous copy.
        copy = alloc.directBuffer(sealedBytes);
        copy.writeBytes(payload, payload.readerIndex(), sealedBytes);
        source = copy.nioBuffer();
      }
      int plainBytes = sealedBytes - AesGcm.TAG_BYTES;
      out = alloc.heapBuffer(plainBytes);
      int written = receiveKey.open(nonce(receiveIv, streamId, counter), aad(frame), source,
          out.nioBuffer(0, plainBytes));
      out.writerIndex(written);
      Frame opened = new Frame(frame.type(), frame.flags(), frame.correlationId(), out);
      out = null;
      return opened;
    } catch (AEADBadTagException e) {
      throw new StoqException(
          StoqError.SEAL_FAILED,
          "sealed " + frame.type() + " payload (correlation id " + frame.correlationId()
              + ", frame " + counter + " on stream " + streamId + ") failed authentication");
    } finally {
      if (out != null) {
        out.release();
      }
      if (copy != null) {
        copy.release();
      }
      frame.release();
    }
  }

  /** {@link #open(ByteBufAllocator, Frame, long, long)} with the default (pooled) allocator. */
  Frame open(Frame frame, long streamId, long counter) {
    return open(ByteBufAllocator.DEFAULT, frame, streamId, counter);
  }
}
