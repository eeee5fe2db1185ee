package online.hypermesh.actors.hypermesh;

import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetValidation;
import online.hypermesh.protocol.hypermesh.Asset;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The asset layer's entry point for the node's router: starts the shard regions and turns one client
 * request into asks of the right entities. Reads of a list go to the owner index, then to each asset,
 * so only assets whose registration was persisted are listed.
 */
public final class AssetService {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  private AssetService(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  public static AssetService start(ActorSystem<?> system) {
    Duration askTimeout = system.settings().config().getDuration("hypermesh.assets.ask-timeout");
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(OwnerIndex.TYPE_KEY, context -> OwnerIndex.create(context.getEntityId())));
    sharding.init(Entity.of(AssetEntity.TYPE_KEY, context -> AssetEntity.create(context.getEntityId(),
        owner -> sharding.entityRefFor(OwnerIndex.TYPE_KEY, owner), askTimeout, Clock.systemUTC())));
    return new AssetService(sharding, askTimeout);
  }

  public CompletionStage<AssetResponse> handle(AssetRequest request) {
    if (request instanceof AssetRequest.Register register) {
      Optional<String> badId = AssetValidation.checkAssetId(register.assetId());
      if (badId.isPresent()) {
        return CompletableFuture.completedFuture(invalid(badId.get()));
      }
      return sharding.entityRefFor(AssetEntity.TYPE_KEY, register.assetId())
          .ask(replyTo -> new AssetEntity.Register(register, replyTo), askTimeout);
    }
    if (request instanceof AssetRequest.Get get) {
      Optional<String> badId = AssetValidation.checkAssetId(get.assetId());
      if (badId.isPresent()) {
        return CompletableFuture.completedFuture(invalid(badId.get()));
      }
      return sharding.entityRefFor(AssetEntity.TYPE_KEY, get.assetId()).ask(AssetEntity.Get::new, askTimeout);
    }
    if (request instanceof AssetRequest.ListByOwner list) {
      Optional<String> badOwner = AssetValidation.checkOwner(list.owner());
      if (badOwner.isPresent()) {
        return CompletableFuture.completedFuture(invalid(badOwner.get()));
      }
      return sharding.entityRefFor(OwnerIndex.TYPE_KEY, list.owner())
          .ask(OwnerIndex.ListIds::new, askTimeout)
          .thenCompose(ids -> collect(list.owner(), ids.assetIds()));
    }
    throw new IllegalArgumentException("unhandled asset request " + request.getClass().getName());
  }

  private CompletionStage<AssetResponse> collect(String owner, List<String> ids) {
    List<CompletableFuture<AssetResponse>> lookups = new ArrayList<>();
    for (String id : ids) {
      lookups.add(sharding.entityRefFor(AssetEntity.TYPE_KEY, id).ask(AssetEntity.Get::new, askTimeout).toCompletableFuture());
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<Asset> assets = new ArrayList<>();
      for (CompletableFuture<AssetResponse> lookup : lookups) {
        // NOT_FOUND here is an id indexed by a registration that never persisted; it is not an asset.
        if (lookup.join() instanceof AssetResponse.Found found && found.asset().owner().equals(owner)) {
          assets.add(found.asset());
        }
      }
      return new AssetResponse.Listed(owner, List.copyOf(assets));
    });
  }

  private static AssetResponse invalid(String problem) {
    return new AssetResponse.Rejected(AssetResponse.Reason.INVALID, problem);
  }
}
