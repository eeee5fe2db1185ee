package online.hypermesh.protocol.hypermesh;

import online.hypermesh.protocol.serialization.KryoMessage;

import java.util.List;

/** Replies of the asset layer; a refusal always says which rule was broken. */
public sealed interface AssetResponse extends KryoMessage {

  record Registered(Asset asset) implements AssetResponse {
  }

  record Found(Asset asset) implements AssetResponse {
  }

  record Listed(String owner, List<Asset> assets) implements AssetResponse {
  }

  record Rejected(Reason reason, String message) implements AssetResponse {
  }

  enum Reason {
    INVALID,
    DUPLICATE,
    NOT_FOUND,
    UNAVAILABLE
  }
}
