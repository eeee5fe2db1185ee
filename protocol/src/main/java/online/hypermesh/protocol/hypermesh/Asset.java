package online.hypermesh.protocol.hypermesh;

import online.hypermesh.protocol.serialization.KryoMessage;

/** A registered asset as every layer and client sees it. Built only through {@link AssetValidation}. */
public record Asset(String assetId, AssetType type, long capacity, String owner, PrivacyLevel privacy, long registeredAtMillis)
    implements KryoMessage {

  /** The NAT-like address under which the asset is reachable: owner scope, then the asset's id. */
  public String address() {
    return "hm://" + owner + "/" + assetId;
  }
}
