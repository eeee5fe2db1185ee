package online.hypermesh.protocol.stoq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Logback appender (see logback-test.xml) that keeps Netty's "LEAK:" reports, plus a check that
 * makes the detector report: it only notices a leaked buffer after the buffer was garbage
 * collected and another buffer is then allocated.
 */
public final class LeakReports extends AppenderBase<ILoggingEvent> {

  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getFormattedMessage().contains("LEAK")) {
      REPORTS.add(event.getFormattedMessage());
    }
  }

  static void assertNoLeaks() throws InterruptedException {
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(50);
      for (int i = 0; i < 200; i++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        probe.release();
        ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        heap.release();
      }
    }
    assertEquals(List.of(), REPORTS, "Netty reported leaked buffers");
  }
}
