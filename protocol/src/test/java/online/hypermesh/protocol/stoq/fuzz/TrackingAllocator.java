package online.hypermesh.protocol.stoq.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out buffers from a delegate and remembers every one, so a test can check that each buffer
 * it or the code under test allocated ended with {@code refCnt() == 0}.
 */
final class TrackingAllocator implements ByteBufAllocator {

  private final ByteBufAllocator delegate;
  private final List<ByteBuf> allocated = new ArrayList<>();

  TrackingAllocator(ByteBufAllocator delegate) {
    this.delegate = delegate;
  }

  /** Forgets everything tracked so far (between inputs). */
  void reset() {
    allocated.clear();
  }

  /** A description of every tracked buffer still referenced, or null when all were released. */
  String unreleased() {
    StringBuilder out = null;
    for (ByteBuf buf : allocated) {
      if (buf.refCnt() != 0) {
        if (out == null) {
          out = new StringBuilder();
        }
        out.append(buf.getClass().getSimpleName()).append(" refCnt=").append(buf.refCnt())
            .append("; ");
      }
    }
    return out == null ? null : out.toString();
  }

  /** Releases whatever is still referenced (after a failure, so one bad input does not snowball). */
  void releaseAll() {
    for (ByteBuf buf : allocated) {
      int refCnt = buf.refCnt();
      if (refCnt > 0) {
        buf.release(refCnt);
      }
    }
  }

  int count() {
    return allocated.size();
  }

  private <T extends ByteBuf> T track(T buf) {
    allocated.add(buf);
    return buf;
  }

  @Override
  public ByteBuf buffer() {
    return track(delegate.buffer());
  }

  @Override
  public ByteBuf buffer(int initialCapacity) {
    return track(delegate.buffer(initialCapacity));
  }

  @Override
  public ByteBuf buffer(int initialCapacity, int maxCapacity) {
    return track(delegate.buffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf ioBuffer() {
    return track(delegate.ioBuffer());
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity) {
    return track(delegate.ioBuffer(initialCapacity));
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.ioBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf heapBuffer() {
    return track(delegate.heapBuffer());
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity) {
    return track(delegate.heapBuffer(initialCapacity));
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.heapBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf directBuffer() {
    return track(delegate.directBuffer());
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity) {
    return track(delegate.directBuffer(initialCapacity));
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.directBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public CompositeByteBuf compositeBuffer() {
    return track(delegate.compositeBuffer());
  }

  @Override
  public CompositeByteBuf compositeBuffer(int maxNumComponents) {
    return track(delegate.compositeBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer() {
    return track(delegate.compositeHeapBuffer());
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    return track(delegate.compositeHeapBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer() {
    return track(delegate.compositeDirectBuffer());
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    return track(delegate.compositeDirectBuffer(maxNumComponents));
  }

  @Override
  public boolean isDirectBufferPooled() {
    return delegate.isDirectBufferPooled();
  }

  @Override
  public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
    return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
  }
}
