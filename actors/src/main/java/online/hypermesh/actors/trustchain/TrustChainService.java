package online.hypermesh.actors.trustchain;

import online.hypermesh.protocol.trustchain.CertificateIssuer;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.LogSigner;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.RevocationReason;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.trustchain.TrustChainResponse.Rejected;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * TrustChain's entry point for the node's router: starts the shard regions of the CA and the log, and
 * turns one client request into an ask of the right entity. One CA ({@code caId}) and one log
 * ({@code logName}) per cluster; each is a single sharded entity, so it runs on one node at a time and
 * moves (recovering from Cassandra) when that node leaves.
 */
public final class TrustChainService {

  private final ClusterSharding sharding;
  private final String caId;
  private final String logName;
  private final byte[] logPublicKey;
  private final Duration askTimeout;

  private TrustChainService(ClusterSharding sharding, String caId, String logName, byte[] logPublicKey,
                            Duration askTimeout) {
    this.sharding = sharding;
    this.caId = caId;
    this.logName = logName;
    this.logPublicKey = logPublicKey;
    this.askTimeout = askTimeout;
  }

  public static TrustChainService start(ActorSystem<?> system, String caId, String logName, CertificateIssuer issuer,
                                        IssuancePolicy policy, LogSigner logSigner, Duration askTimeout,
                                        Executor signing) {
    ClusterSharding sharding = ClusterSharding.get(system);
    byte[] logKey = logSigner.publicKey().getEncoded();
    sharding.init(Entity.of(TransparencyLog.TYPE_KEY,
        context -> TransparencyLog.create(context.getEntityId(), logSigner, Clock.systemUTC(), signing)));
    sharding.init(Entity.of(CertificateAuthority.TYPE_KEY,
        context -> CertificateAuthority.create(context.getEntityId(), issuer, policy,
            sharding.entityRefFor(TransparencyLog.TYPE_KEY, logName), logKey, askTimeout, signing, Clock.systemUTC())));
    return new TrustChainService(sharding, caId, logName, logKey, askTimeout);
  }

  /**
   * Issue and Revoke change the CA; the caller (the node's edge) decides who may send them. Renew is not
   * one of them: the CA authorizes a renewal from the request itself (see RenewalPolicy).
   */
  public static boolean changesState(TrustChainRequest request) {
    return request instanceof TrustChainRequest.Issue || request instanceof TrustChainRequest.Revoke;
  }

  public CompletionStage<TrustChainResponse> handle(TrustChainRequest request) {
    EntityRef<CertificateAuthority.Command> ca = sharding.entityRefFor(CertificateAuthority.TYPE_KEY, caId);
    EntityRef<TransparencyLog.Command> log = sharding.entityRefFor(TransparencyLog.TYPE_KEY, logName);
    if (request instanceof TrustChainRequest.Issue issue) {
      if (issue.csrDer() == null || issue.csrDer().length == 0) {
        return invalid("no certificate request");
      }
      // Issuing also waits for the log; give it both timeouts.
      return ca.ask(replyTo -> new CertificateAuthority.Issue(issue.csrDer(), issue.validitySeconds(), replyTo),
          askTimeout.multipliedBy(2));
    }
    if (request instanceof TrustChainRequest.Renew renew) {
      if (renew.csrDer() == null || renew.csrDer().length == 0
          || renew.currentCertificateDer() == null || renew.currentCertificateDer().length == 0) {
        return invalid("a renewal needs a certificate request and the current certificate");
      }
      return ca.ask(replyTo -> new CertificateAuthority.Renew(renew.csrDer(), renew.currentCertificateDer(),
          renew.validitySeconds(), replyTo), askTimeout.multipliedBy(2));
    }
    if (request instanceof TrustChainRequest.Revoke revoke) {
      var reason = RevocationReason.parse(revoke.reason());
      if (reason.isEmpty()) {
        return invalid("unknown revocation reason '" + revoke.reason() + "'; one of "
            + java.util.Arrays.stream(RevocationReason.values()).map(RevocationReason::rfcName).toList());
      }
      if (CertificateAuthority.normalize(revoke.serialHex()) == null) {
        return invalid("serial '" + revoke.serialHex() + "' is not a positive hex number");
      }
      return ca.ask(replyTo -> new CertificateAuthority.Revoke(revoke.serialHex(), reason.get(), replyTo), askTimeout);
    }
    if (request instanceof TrustChainRequest.Status status) {
      if (CertificateAuthority.normalize(status.serialHex()) == null) {
        return invalid("serial '" + status.serialHex() + "' is not a positive hex number");
      }
      return ca.ask(replyTo -> new CertificateAuthority.GetStatus(status.serialHex(), replyTo), askTimeout);
    }
    if (request instanceof TrustChainRequest.GetTreeHead) {
      return log.ask(TransparencyLog.GetTreeHead::new, askTimeout)
          .thenApply(head -> new TrustChainResponse.TreeHead(head.head(), logPublicKey.clone()));
    }
    if (request instanceof TrustChainRequest.ProofByIndex proof) {
      return log.<TransparencyLog.InclusionReply>ask(
              replyTo -> new TransparencyLog.GetSignedInclusion(proof.leafIndex(), proof.treeSize(), replyTo), askTimeout)
          .thenApply(this::inclusion);
    }
    if (request instanceof TrustChainRequest.ProofByCertificate proof) {
      if (proof.certificateDer() == null || proof.certificateDer().length == 0) {
        return invalid("no certificate");
      }
      byte[] leafHash = MerkleHashes.leafHash(proof.certificateDer());
      return log.<TransparencyLog.InclusionReply>ask(
              replyTo -> new TransparencyLog.GetInclusionByHash(leafHash, proof.treeSize(), replyTo), askTimeout)
          .thenApply(this::inclusion);
    }
    if (request instanceof TrustChainRequest.Consistency consistency) {
      return log.<TransparencyLog.ConsistencyReply>ask(
              replyTo -> new TransparencyLog.GetSignedConsistency(consistency.fromSize(), consistency.toSize(), replyTo),
              askTimeout)
          .thenApply(reply -> reply.problem() != null
              ? new Rejected(TrustChainResponse.Reason.NOT_FOUND, reply.problem())
              : new TrustChainResponse.ConsistencyProof(reply.first(), reply.second(), reply.hashes(), logPublicKey.clone()));
    }
    if (request instanceof TrustChainRequest.GetEntries get) {
      return log.<TransparencyLog.EntriesReply>ask(replyTo -> new TransparencyLog.GetEntries(get.start(), get.end(), replyTo),
              askTimeout)
          .thenApply(reply -> reply.problem() != null
              ? new Rejected(TrustChainResponse.Reason.NOT_FOUND, reply.problem())
              : new TrustChainResponse.Entries(get.start(), reply.entries()));
    }
    throw new IllegalArgumentException("unhandled TrustChain request " + request.getClass().getName());
  }

  /**
   * Submits a certificate to the log unless it is there already (as RFC 6962 add-chain answers a
   * duplicate with the existing entry), e.g. a node logging its own certificate at start. A certificate
   * this CA's intermediate signed (a node's first one, from {@code hypermesh up}) is also recorded by the
   * CA, so its status is known and it can be revoked; any other is only logged.
   *
   * @return the certificate's leaf index
   */
  public CompletionStage<Long> logCertificate(byte[] certificateDer) {
    EntityRef<CertificateAuthority.Command> ca = sharding.entityRefFor(CertificateAuthority.TYPE_KEY, caId);
    return ca.<TrustChainResponse>ask(replyTo -> new CertificateAuthority.Register(certificateDer, replyTo),
            askTimeout.multipliedBy(2))
        .thenCompose(answer -> {
          if (answer instanceof TrustChainResponse.Status status) {
            return CompletableFuture.completedFuture(status.leafIndex());
          }
          if (answer instanceof Rejected rejected && rejected.reason() == TrustChainResponse.Reason.INVALID) {
            return logOnly(certificateDer);
          }
          return CompletableFuture.failedFuture(new IllegalStateException(answer.toString()));
        });
  }

  private CompletionStage<Long> logOnly(byte[] certificateDer) {
    EntityRef<TransparencyLog.Command> log = sharding.entityRefFor(TransparencyLog.TYPE_KEY, logName);
    byte[] leafHash = MerkleHashes.leafHash(certificateDer);
    return log.<TransparencyLog.InclusionReply>ask(
            replyTo -> new TransparencyLog.GetInclusionByHash(leafHash, 0, replyTo), askTimeout)
        .thenCompose(found -> found.problem() == null
            ? CompletableFuture.completedFuture(found.leafIndex())
            : log.<TransparencyLog.Appended>ask(replyTo -> new TransparencyLog.Append(certificateDer, replyTo), askTimeout)
                .thenApply(TransparencyLog.Appended::leafIndex));
  }

  private TrustChainResponse inclusion(TransparencyLog.InclusionReply reply) {
    if (reply.problem() != null) {
      return new Rejected(TrustChainResponse.Reason.NOT_FOUND, reply.problem());
    }
    return new TrustChainResponse.InclusionProof(reply.leafIndex(), reply.entry(), reply.hashes(), reply.head(),
        logPublicKey.clone());
  }

  private static CompletionStage<TrustChainResponse> invalid(String problem) {
    return CompletableFuture.completedFuture(new Rejected(TrustChainResponse.Reason.INVALID, problem));
  }
}
