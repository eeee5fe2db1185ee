package online.hypermesh.node.local;

/**
 * The ports of node {@code index} (1-based) on a one-machine cluster: ten per node from the base,
 * so node 1 has STOQ on 8443, node 2 on 8453, and so on.
 */
public record PortBlock(int stoq, int remoting, int management) {

  public static final int STRIDE = 10;

  public static PortBlock of(int basePort, int index) {
    int stoq = basePort + (index - 1) * STRIDE;
    return new PortBlock(stoq, stoq + 1, stoq + 2);
  }

  /** Classic DNS (UDP and TCP) for Phase 0 clients; DoQ is on the STOQ port itself. */
  public int dns() {
    return stoq + 3;
  }
}
