package online.hypermesh.protocol.hypermesh;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of resource HyperMesh treats as assets, with the unit their capacity is counted in. */
public enum AssetType {
  CPU("millicores"),
  GPU("devices"),
  MEMORY("bytes"),
  STORAGE("bytes"),
  NETWORK("bits/s"),
  CONTAINER("instances");

  private final String unit;

  AssetType(String unit) {
    this.unit = unit;
  }

  public String unit() {
    return unit;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AssetType> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return Arrays.stream(values()).filter(t -> t.wireName().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  public static String names() {
    return Arrays.stream(values()).map(AssetType::wireName).collect(Collectors.joining(", "));
  }
}
