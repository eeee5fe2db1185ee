package online.hypermesh.protocol.hypermesh;

import java.util.Optional;

/** Who may see and use an asset: only its owner, directly connected peers, the owner's network, or everyone. */
public enum PrivacyLevel {
  PRIVATE,
  P2P,
  NETWORK,
  PUBLIC;

  public String wireName() {
    return WireNames.of(this);
  }

  public static Optional<PrivacyLevel> parse(String text) {
    return WireNames.parse(PrivacyLevel.class, text);
  }

  public static String names() {
    return WireNames.list(PrivacyLevel.class);
  }
}
