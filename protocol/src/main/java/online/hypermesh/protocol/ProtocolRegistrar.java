package online.hypermesh.protocol;

import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import online.hypermesh.protocol.serialization.KryoRegistrar;
import online.hypermesh.protocol.serialization.KryoRegistry;
import online.hypermesh.protocol.trustchain.LogReceipt;
import online.hypermesh.protocol.trustchain.SignedTreeHead;

/**
 * Stable Kryo ids of the public API. Blocks of 100 per layer: 200 HyperMesh assets,
 * 300 TrustChain, 400 consensus, 500 Catalog, 600 Caesar, 700 NGauge. Never renumber.
 */
public final class ProtocolRegistrar implements KryoRegistrar {

  @Override
  public void register(KryoRegistry registry) {
    registry
        .register(200, AssetType.class)
        .register(201, PrivacyLevel.class)
        .register(202, Asset.class)
        .register(203, AssetRequest.Register.class)
        .register(204, AssetRequest.Get.class)
        .register(205, AssetRequest.ListByOwner.class)
        .register(206, AssetResponse.Registered.class)
        .register(207, AssetResponse.Found.class)
        .register(208, AssetResponse.Listed.class)
        .register(209, AssetResponse.Rejected.class)
        .register(210, AssetResponse.Reason.class)
        .register(300, SignedTreeHead.class)
        .register(301, LogReceipt.class)
        .sealedRoot(AssetRequest.class)
        .sealedRoot(AssetResponse.class);
  }
}
