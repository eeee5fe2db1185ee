package online.hypermesh.protocol.hypermesh;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Who may see and use an asset: only its owner, directly connected peers, the owner's network, or everyone. */
public enum PrivacyLevel {
  PRIVATE,
  P2P,
  NETWORK,
  PUBLIC;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<PrivacyLevel> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return Arrays.stream(values()).filter(p -> p.wireName().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  public static String names() {
    return Arrays.stream(values()).map(PrivacyLevel::wireName).collect(Collectors.joining(", "));
  }
}
