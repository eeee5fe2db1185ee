package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Netty adapter for {@link FrameCodec#decode}: emits {@link Frame}s and, in stream order, {@link
 * FrameDecodingException}s as messages.
 *
 * <p>Why errors are messages and not thrown: a thrown exception stops {@link ByteToMessageDecoder}
 * for the current read, so a good frame right behind a skippable bad one would sit in the buffer
 * until more bytes arrive; and the next handler needs errors in order with frames anyway. After a
 * fatal error all further input is discarded (framing is lost).
 */
final class FrameDecoder extends ByteToMessageDecoder {

  private final int maxFrameBytes;
  private final boolean handshakeStream;
  private final boolean sealedPayloads;
  private final boolean streamFrames;
  private boolean failed;

  FrameDecoder(int maxFrameBytes) {
    this(maxFrameBytes, false);
  }

  /** @param handshakeStream accept HANDSHAKE frames (only on the connection's first stream) */
  FrameDecoder(int maxFrameBytes, boolean handshakeStream) {
    this(maxFrameBytes, handshakeStream, false);
  }

  /** @param sealedPayloads ERROR payloads are sealed, so they are checked after opening */
  FrameDecoder(int maxFrameBytes, boolean handshakeStream, boolean sealedPayloads) {
    this(maxFrameBytes, handshakeStream, sealedPayloads, false);
  }

  /** @param streamFrames accept STREAM_DATA / STREAM_END (a server's request stream) */
  FrameDecoder(
      int maxFrameBytes, boolean handshakeStream, boolean sealedPayloads, boolean streamFrames) {
    this.maxFrameBytes = maxFrameBytes;
    this.handshakeStream = handshakeStream;
    this.sealedPayloads = sealedPayloads;
    this.streamFrames = streamFrames;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      Frame frame = FrameCodec.decode(in, maxFrameBytes, handshakeStream, sealedPayloads, streamFrames);
      if (frame != null) {
        out.add(frame);
      }
    } catch (FrameDecodingException e) {
      fail(in, out, e);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // Whole frames were already taken out by decode(); what is left can only be a cut-off frame.
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      FrameCodec.requireNoPartialFrame(in);
    } catch (FrameDecodingException e) {
      fail(in, out, e);
    }
  }

  private void fail(ByteBuf in, List<Object> out, FrameDecodingException e) {
    if (e.streamFatal()) {
      failed = true;
      in.skipBytes(in.readableBytes());
    }
    out.add(e);
  }
}
