package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * One STOQ frame: type, flags, correlation id and payload. See {@link FrameCodec} for the layout.
 *
 * <p>The payload is a Netty buffer so that decoded frames can be slices of the receive buffer (no
 * copy) and later zero-copy paths can hand file regions or composite buffers straight through.
 * The frame therefore owns one reference to its payload: whoever receives a frame releases it
 * once, through {@link #release()} (frames pass through Netty pipelines, whose tail releases any
 * {@link ReferenceCounted} message nobody consumed).
 *
 * @param type what the frame carries
 * @param flags u16 flag bits: {@link #NO_FLAGS}, or {@link FrameCodec#FLAG_DOWNLOAD} on a
 *     REQUEST for a streamed download
 * @param correlationId pairs a RESPONSE or ERROR with its REQUEST; chosen by the requester
 * @param payload the bytes after the header; for ERROR frames an {@link ErrorPayload}
 */
public record Frame(FrameType type, int flags, long correlationId, ByteBuf payload)
    implements ReferenceCounted {

  public static final int NO_FLAGS = 0;

  public Frame {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    if (flags < 0 || flags > 0xFFFF) {
      throw new IllegalArgumentException("flags must fit in u16: " + flags);
    }
  }

  public static Frame request(long correlationId, ByteBuf payload) {
    return new Frame(FrameType.REQUEST, NO_FLAGS, correlationId, payload);
  }

  public static Frame response(long correlationId, ByteBuf payload) {
    return new Frame(FrameType.RESPONSE, NO_FLAGS, correlationId, payload);
  }

  /** An ERROR frame; the payload buffer is allocated unpooled (error frames are rare and small). */
  public static Frame error(long correlationId, StoqError error, String message) {
    return new Frame(
        FrameType.ERROR, NO_FLAGS, correlationId, new ErrorPayload(error.code(), message).encode());
  }

  @Override
  public int refCnt() {
    return payload.refCnt();
  }

  @Override
  public Frame retain() {
    payload.retain();
    return this;
  }

  @Override
  public Frame retain(int increment) {
    payload.retain(increment);
    return this;
  }

  @Override
  public Frame touch() {
    payload.touch();
    return this;
  }

  @Override
  public Frame touch(Object hint) {
    payload.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return payload.release();
  }

  @Override
  public boolean release(int decrement) {
    return payload.release(decrement);
  }

  @Override
  public String toString() {
    return "Frame[" + type + ", flags=" + flags + ", correlationId=" + correlationId
        + ", payloadBytes=" + (payload.refCnt() > 0 ? payload.readableBytes() : -1) + "]";
  }
}
