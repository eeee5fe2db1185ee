package online.hypermesh.protocol;

import online.hypermesh.protocol.chain.ChainRequest;
import online.hypermesh.protocol.chain.ChainResponse;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import online.hypermesh.protocol.serialization.KryoRegistrar;
import online.hypermesh.protocol.serialization.KryoRegistry;
import online.hypermesh.protocol.trustchain.LogReceipt;
import online.hypermesh.protocol.trustchain.RevocationReason;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
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
        .register(302, TrustChainRequest.Issue.class)
        .register(303, TrustChainRequest.Revoke.class)
        .register(304, TrustChainRequest.Status.class)
        .register(305, TrustChainRequest.GetTreeHead.class)
        .register(306, TrustChainRequest.ProofByIndex.class)
        .register(307, TrustChainRequest.ProofByCertificate.class)
        .register(308, TrustChainRequest.Consistency.class)
        .register(309, TrustChainRequest.GetEntries.class)
        .register(310, TrustChainResponse.Issued.class)
        .register(311, TrustChainResponse.Revoked.class)
        .register(312, TrustChainResponse.Status.class)
        .register(313, TrustChainResponse.CertificateState.class)
        .register(314, TrustChainResponse.TreeHead.class)
        .register(315, TrustChainResponse.InclusionProof.class)
        .register(316, TrustChainResponse.ConsistencyProof.class)
        .register(317, TrustChainResponse.Entries.class)
        .register(318, TrustChainResponse.Rejected.class)
        .register(319, TrustChainResponse.Reason.class)
        .register(320, RevocationReason.class)
        .register(321, TrustChainRequest.Renew.class)
        // The committed chain's client API: 1320-1339 (1340-1359 are the chain keeper's, in actors).
        .register(1320, ChainRequest.Head.class)
        .register(1321, ChainRequest.GetBlock.class)
        .register(1322, ChainRequest.TxStatus.class)
        .register(1323, ChainRequest.Validators.class)
        .register(1324, ChainRequest.Submit.class)
        .register(1325, ChainResponse.Head.class)
        .register(1326, ChainResponse.Block.class)
        .register(1327, ChainResponse.TxState.class)
        .register(1328, ChainResponse.TxStatus.class)
        .register(1329, ChainResponse.ValidatorInfo.class)
        .register(1330, ChainResponse.Validators.class)
        .register(1331, ChainResponse.Submitted.class)
        .register(1332, ChainResponse.Reason.class)
        .register(1333, ChainResponse.Rejected.class)
        .register(1334, ChainRequest.Epoch.class)
        .register(1335, ChainRequest.EpochSubmit.class)
        .register(1336, ChainResponse.EpochMember.class)
        .register(1337, ChainResponse.Epoch.class)
        // CAES over the chain API (600-639, the Caesar range).
        .register(600, ChainRequest.CaesarAccount.class)
        .register(601, ChainRequest.CaesarSupply.class)
        .register(602, ChainRequest.CaesarHistory.class)
        .register(603, ChainRequest.CaesarSubmit.class)
        .register(604, ChainResponse.CaesarAccount.class)
        .register(605, ChainResponse.CaesarSupply.class)
        .register(606, ChainResponse.CaesarEntry.class)
        .register(607, ChainResponse.CaesarHistory.class)
        .register(608, ChainRequest.BridgeProof.class)
        .register(609, ChainRequest.BridgeStatus.class)
        .register(610, ChainResponse.BridgeProof.class)
        .register(611, ChainResponse.BridgeInfo.class)
        .register(612, ChainResponse.BridgeStatus.class)
        .register(613, ChainRequest.EpochProof.class)
        .register(614, ChainResponse.EpochProof.class)
        .sealedRoot(ChainRequest.class)
        .sealedRoot(ChainResponse.class)
        .sealedRoot(TrustChainRequest.class)
        .sealedRoot(TrustChainResponse.class)
        .sealedRoot(AssetRequest.class)
        .sealedRoot(AssetResponse.class);
  }
}
