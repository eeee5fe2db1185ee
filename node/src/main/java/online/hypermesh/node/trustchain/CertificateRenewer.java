package online.hypermesh.node.trustchain;

import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Renews this node's certificate before it expires: once {@link RenewalSchedule#renewalTime} has passed
 * it sends the CA a {@link TrustChainRequest.Renew} (a CSR signed with the node key for the same names,
 * with the current certificate), checks what comes back (chains to the node's trust anchor, role node,
 * same key, log receipt signed by the pinned log key), and makes it the node's identity
 * ({@link NodeIdentity#replaceChain}), which the STOQ server, Artery TLS and the certificate file follow.
 * A failed attempt is retried with exponential backoff. After every change it reports the certificate's
 * state as the bootstrap check {@code certificate} through {@code report}.
 */
public final class CertificateRenewer {

  public sealed interface Command {
  }

  private enum Tick implements Command { INSTANCE }

  private record Answered(TrustChainResponse response, Throwable failure, X509Certificate renewing) implements Command {
  }

  /** What the bootstrap check shows: whether it passes, and the detail. */
  public record Report(boolean passed, String detail) {
  }

  /** A tick lands this long after the moment it is for, so the moment has surely passed. */
  private static final Duration SLACK = Duration.ofMillis(50);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final NodeIdentity identity;
  private final Function<TrustChainRequest, CompletionStage<TrustChainResponse>> ca;
  private final PublicKey logKey;
  private final RenewalSchedule schedule;
  private final Consumer<Report> report;
  private final Consumer<Long> logged;
  private final Clock clock;

  private int failures;
  private String lastError;
  private Instant nextAttempt;
  private boolean inFlight;

  private CertificateRenewer(ActorContext<Command> context, TimerScheduler<Command> timers, NodeIdentity identity,
                             Function<TrustChainRequest, CompletionStage<TrustChainResponse>> ca, PublicKey logKey,
                             RenewalSchedule schedule, Consumer<Report> report, Consumer<Long> logged, Clock clock) {
    this.context = context;
    this.timers = timers;
    this.identity = identity;
    this.ca = ca;
    this.logKey = logKey;
    this.schedule = schedule;
    this.report = report;
    this.logged = logged;
    this.clock = clock;
  }

  /**
   * @param ca sends a request to the certificate authority (the node's TrustChainService)
   * @param logKey the transparency log's key the node pins; a renewal whose receipt it does not sign is refused
   * @param logged told the new certificate's leaf index in the log
   */
  public static Behavior<Command> create(NodeIdentity identity,
                                         Function<TrustChainRequest, CompletionStage<TrustChainResponse>> ca,
                                         PublicKey logKey, RenewalSchedule schedule, Consumer<Report> report,
                                         Consumer<Long> logged, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.getSelf().tell(Tick.INSTANCE);
      return new CertificateRenewer(context, timers, identity, ca, logKey, schedule, report, logged, clock).behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Answered.class, this::onAnswered)
        .build();
  }

  private Behavior<Command> onTick() {
    Instant now = clock.instant();
    X509Certificate certificate = identity.certificate();
    publishStatus(now);
    if (inFlight) {
      return Behaviors.same();
    }
    if (!now.isBefore(certificate.getNotAfter().toInstant())) {
      // The CA renews only a valid certificate: an operator must issue a new one. Keep the status current.
      tickAt(now.plus(schedule.retryMax()));
      return Behaviors.same();
    }
    Instant due = failures == 0 ? schedule.renewalTime(certificate) : nextAttempt;
    if (now.isBefore(due)) {
      tickAt(earliest(due, certificate.getNotAfter().toInstant()));
      return Behaviors.same();
    }
    renew(certificate);
    return Behaviors.same();
  }

  private void renew(X509Certificate certificate) {
    inFlight = true;
    TrustChainRequest.Renew request;
    try {
      request = new TrustChainRequest.Renew(
          SigningRequests.toDer(SigningRequests.renewalOf(identity.current().falconKey(), certificate)),
          certificate.getEncoded(), schedule.validity().toSeconds());
    } catch (CertificateEncodingException | IllegalArgumentException e) {
      context.getSelf().tell(new Answered(null, e, certificate));
      return;
    }
    context.pipeToSelf(ca.apply(request), (response, failure) -> new Answered(response, failure, certificate));
  }

  private Behavior<Command> onAnswered(Answered answered) {
    inFlight = false;
    Instant now = clock.instant();
    String problem;
    if (answered.failure() != null) {
      problem = "the CA did not answer: " + answered.failure().getMessage();
    } else if (answered.response() instanceof TrustChainResponse.Issued issued) {
      problem = accept(issued, answered.renewing());
    } else if (answered.response() instanceof TrustChainResponse.Rejected rejected) {
      problem = "the CA refused: " + rejected.reason() + " " + rejected.message();
    } else {
      problem = "unexpected answer " + answered.response();
    }
    if (problem == null) {
      failures = 0;
      lastError = null;
      X509Certificate renewed = identity.certificate();
      context.getLog().info("node certificate renewed: serial {} valid until {} (was serial {})",
          renewed.getSerialNumber().toString(16), renewed.getNotAfter().toInstant(),
          answered.renewing().getSerialNumber().toString(16));
      Instant due = schedule.renewalTime(renewed);
      // A certificate already due at issue (clipped by the intermediate's expiry) must not renew in a loop.
      tickAt(due.isAfter(now) ? due : now.plus(schedule.retryMin()));
    } else {
      failures++;
      lastError = problem;
      nextAttempt = now.plus(schedule.retryDelay(failures));
      context.getLog().warn("node certificate renewal failed ({} in a row): {}; next attempt at {}", failures, problem,
          nextAttempt);
      tickAt(earliest(nextAttempt, identity.certificate().getNotAfter().toInstant()));
    }
    publishStatus(now);
    return Behaviors.same();
  }

  /** Checks the CA's answer and makes it current; null, or why it was not taken. */
  private String accept(TrustChainResponse.Issued issued, X509Certificate renewing) {
    StoqIdentity current = identity.current();
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Pq.BC);
      chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(issued.certificateDer())));
      for (byte[] der : issued.chainDer()) {
        X509Certificate certificate = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        // Peers hold the root as their anchor; the node presents leaf and intermediate.
        if (!certificate.equals(current.trustAnchor())) {
          chain.add(certificate);
        }
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      return "unreadable certificate from the CA: " + e.getMessage();
    }
    X509Certificate leaf = chain.get(0);
    try {
      new CertificateVerifier(current.trustAnchor(), current.revoked())
          .verify(chain, CertificateVerifier.commonName(renewing), CertificateRole.NODE);
    } catch (CertificateRejectedException e) {
      return "the renewed certificate does not verify against the node's trust anchor: " + e.getMessage();
    }
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), renewing.getPublicKey().getEncoded())) {
      return "the renewed certificate is not for the node's key";
    }
    if (logKey != null && !issued.receipt().verify(logKey, MerkleHashes.leafHash(issued.certificateDer())).isValid()) {
      return "the log receipt of the renewed certificate is not signed by the pinned log key";
    }
    identity.replaceChain(chain);
    logged.accept(issued.receipt().leafIndex());
    return null;
  }

  private void publishStatus(Instant now) {
    X509Certificate certificate = identity.certificate();
    String serial = "serial " + certificate.getSerialNumber().toString(16);
    Instant notAfter = certificate.getNotAfter().toInstant();
    Instant renewal = schedule.renewalTime(certificate);
    report.accept(switch (schedule.status(certificate, now, failures)) {
      case VALID -> new Report(true, serial + " valid until " + notAfter + ", renews at " + renewal);
      case DUE -> new Report(true, serial + " valid until " + notAfter + ", renewing (due since " + renewal + ")");
      case OVERDUE -> new Report(true, "WARNING renewal overdue: " + serial + " valid until " + notAfter + ", renewal due since "
          + renewal + ", " + failures + " failed attempt(s), last: " + lastError + "; next attempt at " + nextAttempt);
      case EXPIRED -> new Report(false, serial + " expired at " + notAfter
          + (lastError == null ? "" : "; last renewal attempt: " + lastError));
    });
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private void tickAt(Instant at) {
    Duration delay = Duration.between(clock.instant(), at);
    timers.startSingleTimer(Tick.INSTANCE, (delay.isNegative() ? Duration.ZERO : delay).plus(SLACK));
  }
}
