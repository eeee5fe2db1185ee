package online.hypermesh.protocol.stoq.fuzz;

import java.util.List;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;

/** At least one sample of every concrete API message (KryoFuzzTest checks the coverage). */
final class ApiSamples {

  static final Asset ASSET =
      new Asset("gpu-1", AssetType.GPU, 2, "user:alice", PrivacyLevel.P2P, 1_700_000_000_000L);

  private ApiSamples() {}

  static List<AssetRequest> requests() {
    return List.of(
        new AssetRequest.Register("cpu-1", "cpu", 4000, "user:alice", "private"),
        new AssetRequest.Register("", "", -1, "", ""),
        new AssetRequest.Get("cpu-1"),
        new AssetRequest.Get("ü€𝄞-asset"),
        new AssetRequest.ListByOwner("user:alice"));
  }

  static List<AssetResponse> responses() {
    return List.of(
        new AssetResponse.Registered(ASSET),
        new AssetResponse.Registered(ASSET, 42, "ab".repeat(32)),
        new AssetResponse.Found(ASSET),
        new AssetResponse.Found(ASSET, 42, "ab".repeat(32)),
        new AssetResponse.Rejected(AssetResponse.Reason.TIMEOUT, "transaction ab not committed"),
        new AssetResponse.Listed(
            "user:alice",
            List.of(ASSET,
                new Asset("m", AssetType.MEMORY, 1L << 34, "user:alice", PrivacyLevel.PUBLIC, 1))),
        new AssetResponse.Listed("user:bob", List.of()),
        new AssetResponse.Rejected(AssetResponse.Reason.DUPLICATE, "asset cpu-1 exists"),
        new AssetResponse.Rejected(AssetResponse.Reason.NOT_FOUND, ""));
  }

  static List<Object> all() {
    List<Object> all = new java.util.ArrayList<>();
    all.add(ASSET);
    all.addAll(requests());
    all.addAll(responses());
    return all;
  }
}
