package online.hypermesh.node.bootstrap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a node stands: the highest phase reached (-1 when not even phase 0 holds), the first
 * check that keeps it from the next one, and every check.
 *
 * <p>A phase with no check recorded yet counts as not reached ("not checked yet"), so a node that
 * has just started never claims more than it has seen.
 */
public record BootstrapReport(int phase, String phaseTitle, BootstrapCheck blockedBy, List<BootstrapCheck> checks) {

  public BootstrapReport {
    checks = List.copyOf(checks);
  }

  public static BootstrapReport of(List<BootstrapCheck> checks) {
    List<BootstrapCheck> sorted = new ArrayList<>(checks);
    sorted.sort(Comparator.comparing(BootstrapCheck::phase));
    int reached = -1;
    for (BootstrapPhase phase : BootstrapPhase.values()) {
      List<BootstrapCheck> ofPhase = sorted.stream().filter(c -> c.phase() == phase).toList();
      BootstrapCheck failing = ofPhase.stream().filter(c -> !c.passed()).findFirst().orElse(null);
      if (ofPhase.isEmpty()) {
        failing = BootstrapCheck.failed(phase, "pending", "not checked yet");
      }
      if (failing != null) {
        return new BootstrapReport(reached, title(reached), failing, sorted);
      }
      reached = phase.number();
    }
    return new BootstrapReport(reached, title(reached), null, sorted);
  }

  public boolean complete() {
    return blockedBy == null;
  }

  private static String title(int number) {
    for (BootstrapPhase phase : BootstrapPhase.values()) {
      if (phase.number() == number) {
        return phase.title();
      }
    }
    return "not started";
  }
}
