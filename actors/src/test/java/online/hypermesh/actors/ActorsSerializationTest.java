package online.hypermesh.actors;

import com.typesafe.config.ConfigFactory;
import online.hypermesh.actors.hypermesh.AssetApplier;
import online.hypermesh.actors.hypermesh.AssetEntity;
import online.hypermesh.actors.hypermesh.OwnerIndex;
import online.hypermesh.actors.trustchain.CertificateAuthority;
import online.hypermesh.actors.trustchain.TransparencyLog;
import online.hypermesh.protocol.trustchain.RevocationReason;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.trustchain.LogSigner;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import online.hypermesh.protocol.hypermesh.AssetType;
import online.hypermesh.protocol.hypermesh.PrivacyLevel;
import online.hypermesh.protocol.serialization.KryoSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every registered command, event and snapshot goes through Pekko's serialization, i.e. through our Kryo serializer. */
class ActorsSerializationTest {

  private static final LogSigner SIGNER = LogSigner.generate();
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = cluster\n"
      + "pekko.remote.artery.canonical.port = 0\npekko.remote.artery.canonical.hostname = \"::1\"").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyRegisteredClassRoundTripsThroughPekkoSerialization() {
    ActorRef<AssetResponse> replyTo = testKit.<AssetResponse>createTestProbe().ref();
    ActorRef<OwnerIndex.Added> addedTo = testKit.<OwnerIndex.Added>createTestProbe().ref();
    ActorRef<OwnerIndex.Ids> idsTo = testKit.<OwnerIndex.Ids>createTestProbe().ref();
    Asset asset = new Asset("cpu-1", AssetType.CPU, 4000, "user:alice", PrivacyLevel.NETWORK, 42);
    List<Object> samples = List.of(
        new AssetEntity.Register(new AssetRequest.Register("cpu-1", "cpu", 4000, "user:alice", "network"), replyTo),
        new AssetEntity.Get(replyTo),
        new AssetEntity.IndexAcked(asset, replyTo),
        new AssetEntity.IndexFailed("cpu-1", "timeout", replyTo),
        new AssetEntity.Registered(asset),
        new AssetEntity.State(asset, -1, ""),
        new AssetEntity.State(asset, 7, "ab12"),
        new AssetEntity.ApplyCommitted(asset, 7, 0, "ab12", replyTo),
        new AssetEntity.CommittedIndexAcked(new AssetEntity.ApplyCommitted(asset, 7, 1, "ab12", replyTo)),
        new AssetEntity.RegisteredOnChain(asset, 7, 2, "ab12"),
        new AssetApplier.Apply(asset, 7, 0, "ab12"),
        new AssetApplier.Answered("ab12", new AssetResponse.Registered(asset, 7, "ab12"), ""),
        new AssetApplier.Answered("ab12", null, "timeout"),
        new AssetApplier.Retry(),
        new OwnerIndex.Add("cpu-1", addedTo),
        new OwnerIndex.ListIds(idsTo),
        new OwnerIndex.Added("cpu-1"),
        new OwnerIndex.Ids(List.of("a", "b")),
        new OwnerIndex.AssetAdded("cpu-1"),
        new OwnerIndex.State(List.of("a", "b")),
        new TransparencyLog.Append(new byte[] {1, 2, 3}, testKit.<TransparencyLog.Appended>createTestProbe().ref()),
        new TransparencyLog.GetTreeHead(testKit.<TransparencyLog.TreeHead>createTestProbe().ref()),
        new TransparencyLog.GetInclusionProof(1, 2, testKit.<TransparencyLog.ProofReply>createTestProbe().ref()),
        new TransparencyLog.GetConsistencyProof(1, 2, testKit.<TransparencyLog.ProofReply>createTestProbe().ref()),
        new TransparencyLog.GetEntries(0, 1, testKit.<TransparencyLog.EntriesReply>createTestProbe().ref()),
        new TransparencyLog.Appended(0, SIGNER.receipt(0, new byte[32], 7)),
        new TransparencyLog.ProofReply(List.of(new byte[32], new byte[32]), null),
        new TransparencyLog.EntriesReply(List.of(), "range 0..1 is not within 0..0"),
        new TransparencyLog.EntryAppended(new byte[] {9, 9}, 42),
        new TransparencyLog.Snapshot(List.of(new byte[] {1}, new byte[] {2})),
        new TransparencyLog.TreeHead(SIGNER.signTreeHead(3, 42, new byte[32])),
        new TransparencyLog.GetSignedInclusion(1, 0, testKit.<TransparencyLog.InclusionReply>createTestProbe().ref()),
        new TransparencyLog.GetInclusionByHash(new byte[32], 0, testKit.<TransparencyLog.InclusionReply>createTestProbe().ref()),
        new TransparencyLog.GetSignedConsistency(1, 2, testKit.<TransparencyLog.ConsistencyReply>createTestProbe().ref()),
        new TransparencyLog.Flush(),
        new TransparencyLog.InclusionReply(0, new byte[] {1}, List.of(new byte[32]), SIGNER.signTreeHead(1, 42, new byte[32]), null),
        new TransparencyLog.InclusionReply(-1, new byte[0], List.of(), null, "no such entry in the log"),
        new TransparencyLog.ConsistencyReply(SIGNER.signTreeHead(1, 42, new byte[32]), SIGNER.signTreeHead(2, 42, new byte[32]),
            List.of(new byte[32]), null),
        new CertificateAuthority.Issue(new byte[] {1}, 0, testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.Revoke("abc", RevocationReason.KEY_COMPROMISE, testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.GetStatus("abc", testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.Renew(new byte[] {1}, new byte[] {2}, 60, testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.Register(new byte[] {3}, testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.RegisterLogged("abc", "CN=a", 5, 1, testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.Logged("abc", "CN=a", 5, 1, new byte[] {1}, SIGNER.receipt(1, new byte[32], 7),
            testKit.<TrustChainResponse>createTestProbe().ref()),
        new CertificateAuthority.Flush(),
        new CertificateAuthority.CertificateIssued("abc", "CN=a,OU=node,L=eu", 5, 1),
        new CertificateAuthority.CertificateRevoked("abc", RevocationReason.SUPERSEDED, 9));

    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    List<Class<?>> covered = new ArrayList<>();
    for (Object sample : samples) {
      assertEquals(KryoSerializer.IDENTIFIER, serialization.findSerializerFor(sample).identifier(), sample.getClass().getName());
      byte[] bytes = serialization.serialize(sample).get();
      Object back = serialization.deserialize(bytes, KryoSerializer.IDENTIFIER, Serializers.manifestFor(serialization.findSerializerFor(sample), sample)).get();
      assertEquals(sample.getClass(), back.getClass());
      // Records holding byte[] compare arrays by identity, so equality is checked on the (deterministic) encoding.
      assertArrayEquals(bytes, serialization.serialize(back).get(), sample.getClass().getName());
      if (!sample.toString().contains("[B@")) {
        assertEquals(sample, back);
      }
      covered.add(sample.getClass());
    }
    for (Class<?> root : List.of(AssetApplier.Command.class, AssetEntity.Command.class, AssetEntity.Event.class, OwnerIndex.Command.class, OwnerIndex.Event.class,
        TransparencyLog.Command.class, TransparencyLog.Event.class, CertificateAuthority.Command.class,
        CertificateAuthority.Event.class)) {
      for (Class<?> sub : root.getPermittedSubclasses()) {
        assertTrue(covered.contains(sub), "no round-trip sample for " + sub.getName());
      }
    }
  }
}
