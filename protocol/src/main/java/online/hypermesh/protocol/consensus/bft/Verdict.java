package online.hypermesh.protocol.consensus.bft;

/** Accept, or refuse with a readable reason. Used for every check in this package. */
public record Verdict(boolean accepted, String reason) {

  public static final Verdict ACCEPT = new Verdict(true, "accepted");

  public static Verdict accept() {
    return ACCEPT;
  }

  public static Verdict reject(String reason) {
    return new Verdict(false, reason);
  }

  public boolean rejected() {
    return !accepted;
  }
}
