package online.hypermesh.actors;

import online.hypermesh.actors.consensus.ChainKeeper;
import online.hypermesh.actors.consensus.Validator;
import online.hypermesh.actors.hypermesh.AssetApplier;
import online.hypermesh.actors.hypermesh.AssetEntity;
import online.hypermesh.actors.hypermesh.OwnerIndex;
import online.hypermesh.actors.trustchain.CertificateAuthority;
import online.hypermesh.actors.trustchain.TransparencyLog;
import online.hypermesh.protocol.serialization.KryoRegistrar;
import online.hypermesh.protocol.serialization.KryoRegistry;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Stable Kryo ids of commands, events and snapshots inside the cluster. Blocks of 100 per layer from 1000:
 * 1000 shared, 1100 HyperMesh assets, 1200 TrustChain, 1300 consensus. Events are journal format: never renumber, never edit; add new ones.
 */
public final class ActorsRegistrar implements KryoRegistrar {

  private final ActorRefResolver resolver;

  public ActorsRegistrar(ExtendedActorSystem system) {
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
  }

  @Override
  public void register(KryoRegistry registry) {
    registry
        .registerAlias(1000, ActorRef.class, () -> new ActorRefSerializer(resolver))
        .register(1100, AssetEntity.Register.class)
        .register(1101, AssetEntity.Get.class)
        .register(1102, AssetEntity.IndexAcked.class)
        .register(1103, AssetEntity.IndexFailed.class)
        .register(1104, AssetEntity.Registered.class)
        .register(1105, AssetEntity.State.class)
        .register(1110, OwnerIndex.Add.class)
        .register(1111, OwnerIndex.ListIds.class)
        .register(1112, OwnerIndex.Added.class)
        .register(1113, OwnerIndex.Ids.class)
        .register(1114, OwnerIndex.AssetAdded.class)
        .register(1115, OwnerIndex.State.class)
        .register(1200, TransparencyLog.Append.class)
        .register(1201, TransparencyLog.GetTreeHead.class)
        .register(1202, TransparencyLog.GetInclusionProof.class)
        .register(1203, TransparencyLog.GetConsistencyProof.class)
        .register(1204, TransparencyLog.GetEntries.class)
        .register(1205, TransparencyLog.Appended.class)
        .register(1206, TransparencyLog.ProofReply.class)
        .register(1207, TransparencyLog.EntriesReply.class)
        .register(1208, TransparencyLog.EntryAppended.class)
        .register(1209, TransparencyLog.Snapshot.class)
        .register(1210, TransparencyLog.TreeHead.class)
        .register(1211, TransparencyLog.GetSignedInclusion.class)
        .register(1212, TransparencyLog.GetInclusionByHash.class)
        .register(1213, TransparencyLog.GetSignedConsistency.class)
        .register(1214, TransparencyLog.Flush.class)
        .register(1215, TransparencyLog.InclusionReply.class)
        .register(1216, TransparencyLog.ConsistencyReply.class)
        .register(1220, CertificateAuthority.Issue.class)
        .register(1221, CertificateAuthority.Revoke.class)
        .register(1222, CertificateAuthority.GetStatus.class)
        .register(1223, CertificateAuthority.Logged.class)
        .register(1224, CertificateAuthority.Flush.class)
        .register(1225, CertificateAuthority.CertificateIssued.class)
        .register(1226, CertificateAuthority.CertificateRevoked.class)
        .register(1227, CertificateAuthority.Renew.class)
        .register(1228, CertificateAuthority.Register.class)
        .register(1229, CertificateAuthority.RegisterLogged.class)
        .register(1300, Validator.Deliver.class)
        .register(1301, Validator.Submit.class)
        .register(1302, Validator.SubmittedTransaction.class)
        .register(1303, Validator.GetStatus.class)
        .register(1304, Validator.Start.class)
        .register(1305, Validator.RoundTimerFired.class)
        .register(1306, Validator.ProposalTimerFired.class)
        .register(1307, Validator.Status.class)
        .register(1308, Validator.SafetyStateChanged.class)
        .register(1309, Validator.BlockCommitted.class)
        .register(1310, Validator.State.class)
        .register(1311, Validator.EpochEnding.class)
        .register(1312, Validator.EpochStarted.class)
        .register(1313, Validator.EpochCatchUp.class)
        // The chain keeper: 1340-1359 (1320-1339 are the chain's client API, in ProtocolRegistrar).
        .register(1340, ChainKeeper.Committed.class)
        .register(1341, ChainKeeper.Rejected.class)
        .register(1342, ChainKeeper.Pending.class)
        .register(1343, ChainKeeper.GetHead.class)
        .register(1344, ChainKeeper.GetBlock.class)
        .register(1345, ChainKeeper.GetTx.class)
        .register(1346, ChainKeeper.GetValidators.class)
        .register(1347, ChainKeeper.BlockApplied.class)
        .register(1348, ChainKeeper.TransactionRejected.class)
        .register(1349, ChainKeeper.GetBridgeProof.class)
        .register(1350, ChainKeeper.GetEpochProof.class)
        // Assets applied from the chain: 1360-1379.
        .register(1360, AssetEntity.ApplyCommitted.class)
        .register(1361, AssetEntity.CommittedIndexAcked.class)
        .register(1362, AssetEntity.RegisteredOnChain.class)
        .register(1363, AssetApplier.Apply.class)
        .register(1364, AssetApplier.Answered.class)
        .register(1365, AssetApplier.Retry.class)
        .sealedRoot(AssetApplier.Command.class)
        .sealedRoot(ChainKeeper.Command.class)
        .sealedRoot(ChainKeeper.Event.class)
        .sealedRoot(Validator.Command.class)
        .sealedRoot(Validator.Event.class)
        .sealedRoot(CertificateAuthority.Command.class)
        .sealedRoot(CertificateAuthority.Event.class)
        .sealedRoot(TransparencyLog.Command.class)
        .sealedRoot(TransparencyLog.Event.class)
        .sealedRoot(AssetEntity.Command.class)
        .sealedRoot(AssetEntity.Event.class)
        .sealedRoot(OwnerIndex.Command.class)
        .sealedRoot(OwnerIndex.Event.class);
  }
}
