package online.hypermesh.protocol.consensus.bft;

import java.util.List;

/**
 * The result of one input. If {@code persist} is not null the host must store it durably (it
 * replaces any earlier one) and only then carry out {@code outputs}: they may contain messages
 * signed under that state, and sending them first would let a crash-restart sign again.
 */
public record Step(SafetyState persist, List<Output> outputs) {

  public Step {
    outputs = List.copyOf(outputs);
  }
}
