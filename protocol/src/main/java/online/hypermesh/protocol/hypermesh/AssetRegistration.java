package online.hypermesh.protocol.hypermesh;

import java.util.Objects;

/**
 * What an ASSET_REGISTRATION transaction carries ({@link AssetRegistrationCodec}): the client's
 * request as the serving node accepted it, and who asked (the client certificate's common name,
 * for the record: the owner rules are checked again when the transaction is applied). The time
 * the asset is registered at is the transaction's timestamp, which PoTime bounds, so it is the
 * same on every node.
 */
public record AssetRegistration(String assetId, String type, long capacity, String owner,
    String privacy, String requester) {

  public AssetRegistration {
    Objects.requireNonNull(assetId, "assetId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(privacy, "privacy");
    Objects.requireNonNull(requester, "requester");
  }

  public static AssetRegistration of(AssetRequest.Register request, String requester) {
    return new AssetRegistration(request.assetId(), request.type(), request.capacity(),
        request.owner(), request.privacy(), requester == null ? "" : requester);
  }

  public AssetRequest.Register request() {
    return new AssetRequest.Register(assetId, type, capacity, owner, privacy);
  }
}
