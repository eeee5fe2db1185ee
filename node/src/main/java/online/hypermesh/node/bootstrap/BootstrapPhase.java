package online.hypermesh.node.bootstrap;

/** The bootstrap sequence of a node, in order; a node is in the highest phase whose checks, and all earlier ones, pass. */
public enum BootstrapPhase {
  SEEDS(0, "traditional DNS / static seeds"),
  TRUSTCHAIN(1, "TrustChain: root established, node enrolled, certificate logged"),
  STOQ(2, "STOQ: all traffic authenticated with TrustChain certificates"),
  FEDERATION(3, "full federation: joined the cluster");

  private final int number;
  private final String title;

  BootstrapPhase(int number, String title) {
    this.number = number;
    this.title = title;
  }

  public int number() {
    return number;
  }

  public String title() {
    return title;
  }
}
