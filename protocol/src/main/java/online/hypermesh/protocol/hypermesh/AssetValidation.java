package online.hypermesh.protocol.hypermesh;

import java.util.Optional;
import java.util.regex.Pattern;

/** The rules an asset registration must meet; shared by the CLI (early feedback) and the entity (the authority). */
public final class AssetValidation {

  /** Ids are path segments of the asset address, so they stay DNS- and URL-safe. */
  private static final Pattern ASSET_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  /**
   * Owners are scoped identities: a user or node name, or the SHA-256 fingerprint of a key.
   * The scheme decides how the layer above authenticates the owner.
   */
  private static final Pattern OWNER = Pattern.compile("(user|node):[a-z][a-z0-9_-]{1,62}|key:[0-9a-f]{64}");

  private AssetValidation() {
  }

  public static Optional<String> checkAssetId(String assetId) {
    if (assetId == null || !ASSET_ID.matcher(assetId).matches()) {
      return Optional.of("asset id '" + assetId + "' must be 1-128 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
    }
    return Optional.empty();
  }

  public static Optional<String> checkOwner(String owner) {
    if (owner == null || !OWNER.matcher(owner).matches()) {
      return Optional.of("owner '" + owner + "' has an unknown format; expected user:NAME, node:NAME or key:SHA256HEX");
    }
    return Optional.empty();
  }

  /** Either a valid asset, or the first rule it breaks. */
  public static Result validate(AssetRequest.Register request, long nowMillis) {
    Optional<String> problem = checkAssetId(request.assetId()).or(() -> checkOwner(request.owner()));
    if (problem.isPresent()) {
      return new Result(null, problem.get());
    }
    Optional<AssetType> type = AssetType.parse(request.type());
    if (type.isEmpty()) {
      return new Result(null, "unknown asset type '" + request.type() + "'; expected one of " + AssetType.names());
    }
    if (request.capacity() <= 0) {
      return new Result(null, "capacity must be positive (in " + type.get().unit() + "), got " + request.capacity());
    }
    Optional<PrivacyLevel> privacy = PrivacyLevel.parse(request.privacy());
    if (privacy.isEmpty()) {
      return new Result(null, "unknown privacy level '" + request.privacy() + "'; expected one of " + PrivacyLevel.names());
    }
    return new Result(new Asset(request.assetId(), type.get(), request.capacity(), request.owner(), privacy.get(), nowMillis), null);
  }

  public record Result(Asset asset, String problem) {
    public boolean valid() {
      return asset != null;
    }
  }
}
