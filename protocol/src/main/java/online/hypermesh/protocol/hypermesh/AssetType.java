package online.hypermesh.protocol.hypermesh;

import java.util.Optional;

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
    return WireNames.of(this);
  }

  public static Optional<AssetType> parse(String text) {
    return WireNames.parse(AssetType.class, text);
  }

  public static String names() {
    return WireNames.list(AssetType.class);
  }
}
