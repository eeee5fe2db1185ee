package online.hypermesh.protocol.stoq.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's {@link ResourceLeakDetector} reports a leaked buffer. It attaches its
 * own appender to the detector's logger (independent of logback-test.xml), and {@link
 * #assertNoLeaks()} makes the detector look: it only notices a leak after the leaked buffer was
 * garbage-collected and another tracked buffer is then allocated.
 */
final class LeakWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> reports = new CopyOnWriteArrayList<>();
  private final Logger logger;

  private LeakWatch() {
    logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
  }

  /** Starts recording; the level must let ERROR through or Netty does not even build a report. */
  static LeakWatch install() {
    LeakWatch watch = new LeakWatch();
    watch.setName("fuzz-leak-watch");
    watch.setContext(watch.logger.getLoggerContext());
    watch.start0();
    return watch;
  }

  private void start0() {
    super.start();
    if (logger.getEffectiveLevel().toInt() > Level.ERROR.toInt()) {
      logger.setLevel(Level.ERROR);
    }
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message != null && message.contains("LEAK")) {
      reports.add(message);
    }
  }

  /** Collects garbage, allocates tracked buffers so the detector reports, and asserts none did. */
  void assertNoLeaks() throws InterruptedException {
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(50);
      for (int i = 0; i < 200; i++) {
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        direct.release();
        ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        heap.release();
      }
    }
    assertEquals(List.of(), reports, "Netty's ResourceLeakDetector reported leaked buffers");
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
