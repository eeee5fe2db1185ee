package online.hypermesh.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR execution-sample recording of one phase, summarised the way docs/BENCHMARKS.md reports
 * profiles: each sample is charged to the innermost HyperMesh frame on its stack (so a FALCON
 * verify inside Bouncy Castle counts as {@code Falcon.verify}), or, with no HyperMesh frame, to the
 * top frame's library. Java threads only: GC, JIT and the Cassandra process are not in it.
 */
final class JfrProfile implements AutoCloseable {

  /** Share of samples per group, largest first, and the file for {@code jfr print} / JMC. */
  record Summary(String file, long samples, Map<String, Double> byInnermostHyperMeshFrame,
                 Map<String, Double> byTopFrame) {}

  private final Recording recording = new Recording();
  private final Path file;

  JfrProfile(Path file) {
    this.file = file;
    recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    recording.setToDisk(true);
    recording.start();
  }

  Summary stop() throws IOException {
    recording.stop();
    recording.dump(file);
    Map<String, Long> inner = new HashMap<>();
    Map<String, Long> top = new HashMap<>();
    long samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      samples++;
      top.merge(name(frames.get(0)), 1L, Long::sum);
      String group = null;
      for (RecordedFrame f : frames) {
        String type = f.getMethod().getType().getName();
        if (type.startsWith("online.hypermesh.") && !type.startsWith("online.hypermesh.bench.")) {
          group = name(f);
          break;
        }
      }
      inner.merge(group != null ? group : "(no HyperMesh frame) " + library(frames.get(0)), 1L, Long::sum);
    }
    return new Summary(file.toAbsolutePath().toString(), samples, shares(inner, samples, 15), shares(top, samples, 12));
  }

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static String library(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    String[] parts = type.split("\\.");
    return parts.length >= 3 ? parts[0] + "." + parts[1] + "." + parts[2] : type;
  }

  private static Map<String, Double> shares(Map<String, Long> counts, long total, int limit) {
    Map<String, Double> out = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
        .forEach(e -> out.put(e.getKey(), Results.round(100.0 * e.getValue() / Math.max(1, total), 1)));
    return out;
  }

  @Override
  public void close() {
    recording.close();
  }
}
