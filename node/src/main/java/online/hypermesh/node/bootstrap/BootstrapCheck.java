package online.hypermesh.node.bootstrap;

import java.util.Objects;

/**
 * One condition of a bootstrap phase, as last observed.
 *
 * @param name short id, e.g. {@code member-up}
 * @param passed whether it holds
 * @param detail what was seen, or why it does not hold, in words an operator can act on
 */
public record BootstrapCheck(BootstrapPhase phase, String name, boolean passed, String detail) {

  public BootstrapCheck {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(name, "name");
    detail = detail == null ? "" : detail;
  }

  public static BootstrapCheck passed(BootstrapPhase phase, String name, String detail) {
    return new BootstrapCheck(phase, name, true, detail);
  }

  public static BootstrapCheck failed(BootstrapPhase phase, String name, String reason) {
    return new BootstrapCheck(phase, name, false, reason);
  }
}
