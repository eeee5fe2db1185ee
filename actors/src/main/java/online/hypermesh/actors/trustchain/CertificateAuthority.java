package online.hypermesh.actors.trustchain;

import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.serialization.KryoMessage;
import online.hypermesh.protocol.trustchain.CertificateIssuer;
import online.hypermesh.protocol.trustchain.IssuanceDecision;
import online.hypermesh.protocol.trustchain.IssuancePolicy;
import online.hypermesh.protocol.trustchain.LogReceipt;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.RenewalPolicy;
import online.hypermesh.protocol.trustchain.RevocationReason;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.trustchain.TrustChainResponse.CertificateState;
import online.hypermesh.protocol.trustchain.TrustChainResponse.Rejected;
import online.hypermesh.protocol.trustchain.TrustRole;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * One TrustChain certificate authority (entity id = CA id): issues from checked PKCS#10 requests, renews a
 * node's own certificate ({@link RenewalPolicy}), records certificates its intermediate signed elsewhere (a
 * node's first one, {@link Register}), revokes with a reason, answers status. Its journal is the CA's record of every serial it issued and revoked.
 *
 * <p>Issuing: the policy check and the FALCON signature run on the signing executor (so several requests
 * are signed at once); the certificate is then appended to the {@link TransparencyLog}; only after the log
 * acknowledged it is {@link CertificateIssued} persisted here and the certificate returned with its
 * receipt. A crash between the log append and the persist leaves a logged certificate that was never
 * returned to anyone; its status reads UNKNOWN (the log still shows it, which is the point of a log).
 * Issued events that arrive together are persisted together (group commit, as in the log).
 */
public final class CertificateAuthority
    extends EventSourcedBehavior<CertificateAuthority.Command, CertificateAuthority.Event, CertificateAuthority.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "CertificateAuthority");

  static final int MAX_BATCH = 256;

  public sealed interface Command extends KryoMessage {
  }

  /** @param validitySeconds 0 for the role's maximum */
  public record Issue(byte[] csrDer, long validitySeconds, ActorRef<TrustChainResponse> replyTo) implements Command {
  }

  public record Revoke(String serialHex, RevocationReason reason, ActorRef<TrustChainResponse> replyTo)
      implements Command {
  }

  /** A node renews its own certificate ({@link RenewalPolicy}); issued and logged like {@link Issue}. */
  public record Renew(byte[] csrDer, byte[] currentCertificateDer, long validitySeconds,
                      ActorRef<TrustChainResponse> replyTo) implements Command {
  }

  public record GetStatus(String serialHex, ActorRef<TrustChainResponse> replyTo) implements Command {
  }

  /**
   * Records a certificate this CA's intermediate signed outside the entity (a node's first certificate,
   * issued by {@code hypermesh up} from the same keys), logging it first unless the log has it, so its
   * status is known and it can be revoked. Answers {@link TrustChainResponse.Status} (with its leaf
   * index) or {@link Rejected} when this CA did not issue it.
   */
  public record Register(byte[] certificateDer, ActorRef<TrustChainResponse> replyTo) implements Command {
  }

  /** Self message: a registered certificate is in the log at {@code leafIndex}. */
  public record RegisterLogged(String serialHex, String subject, long notAfterMillis, long leafIndex,
                               ActorRef<TrustChainResponse> replyTo) implements Command {
  }

  /** Self message: signed and logged, to be recorded. */
  public record Logged(String serialHex, String subject, long notAfterMillis, long leafIndex, byte[] certificateDer,
                       LogReceipt receipt, ActorRef<TrustChainResponse> replyTo) implements Command {
  }

  public record Flush() implements Command {
  }

  public sealed interface Event extends KryoMessage {
  }

  public record CertificateIssued(String serialHex, String subject, long notAfterMillis, long leafIndex)
      implements Event {
  }

  public record CertificateRevoked(String serialHex, RevocationReason reason, long revokedAtMillis) implements Event {
  }

  /** What the CA knows of one serial. Mutated in place by the event handler only. */
  static final class Record {
    final long notAfterMillis;
    final long leafIndex;
    RevocationReason revokedReason;
    long revokedAtMillis;

    Record(long notAfterMillis, long leafIndex) {
      this.notAfterMillis = notAfterMillis;
      this.leafIndex = leafIndex;
    }
  }

  public static final class State {
    private final Map<String, Record> serials = new HashMap<>();

    public int issuedCount() {
      return serials.size();
    }
  }

  private final ActorContext<Command> context;
  private final CertificateIssuer issuer;
  private final IssuancePolicy policy;
  private final RenewalPolicy renewal;
  private final RecipientRef<TransparencyLog.Command> log;
  private final byte[] logPublicKey;
  private final Duration askTimeout;
  private final Executor signing;
  private final Clock clock;
  private final List<Logged> pending = new ArrayList<>();

  public static Behavior<Command> create(String caId, CertificateIssuer issuer, IssuancePolicy policy,
                                         RecipientRef<TransparencyLog.Command> log, byte[] logPublicKey,
                                         Duration askTimeout, Executor signing, Clock clock) {
    return Behaviors.setup(context -> new CertificateAuthority(context, PersistenceId.of(TYPE_KEY.name(), caId),
        issuer, policy, log, logPublicKey, askTimeout, signing, clock));
  }

  private CertificateAuthority(ActorContext<Command> context, PersistenceId id, CertificateIssuer issuer,
                               IssuancePolicy policy, RecipientRef<TransparencyLog.Command> log, byte[] logPublicKey,
                               Duration askTimeout, Executor signing, Clock clock) {
    super(id);
    this.context = context;
    this.issuer = issuer;
    this.policy = policy;
    this.renewal = new RenewalPolicy(policy, issuer.root(), issuer.intermediate(), clock);
    this.log = log;
    this.logPublicKey = logPublicKey.clone();
    this.askTimeout = askTimeout;
    this.signing = signing;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Issue.class, (state, issue) -> {
          startIssue(issue.csrDer(), issue.validitySeconds(), policy::check, issue.replyTo());
          return Effect().none();
        })
        .onCommand(Renew.class, (state, renew) -> {
          startRenew(state, renew);
          return Effect().none();
        })
        .onCommand(Logged.class, (state, logged) -> {
          pending.add(logged);
          if (pending.size() == 1) {
            context.getSelf().tell(new Flush());
          }
          return Effect().none();
        })
        .onCommand(Flush.class, (state, flush) -> flush())
        .onCommand(Register.class, this::register)
        .onCommand(RegisterLogged.class, (state, logged) -> state.serials.containsKey(logged.serialHex())
            ? Effect().reply(logged.replyTo(), status(state, logged.serialHex()))
            : Effect().persist(new CertificateIssued(logged.serialHex(), logged.subject(), logged.notAfterMillis(),
                logged.leafIndex())).thenReply(logged.replyTo(), after -> status(after, logged.serialHex())))
        .onCommand(Revoke.class, this::revoke)
        .onCommand(GetStatus.class, (state, get) -> Effect().reply(get.replyTo(), status(state, get.serialHex())))
        .build();
  }

  private Effect<Event, State> register(State state, Register register) {
    X509Certificate certificate;
    try {
      certificate = parse(register.certificateDer());
      new CertificateVerifier(issuer.root(), Set.of(), clock).verify(List.of(certificate, issuer.intermediate()), null, null);
    } catch (GeneralSecurityException | CertificateRejectedException | RuntimeException e) {
      return Effect().reply(register.replyTo(), new Rejected(TrustChainResponse.Reason.INVALID,
          "not a valid certificate of this CA: " + e.getMessage()));
    }
    String serial = serialHex(certificate.getSerialNumber());
    if (state.serials.containsKey(serial)) {
      return Effect().reply(register.replyTo(), status(state, serial));
    }
    ActorRef<Command> self = context.getSelf();
    byte[] der = register.certificateDer();
    byte[] leafHash = MerkleHashes.leafHash(der);
    AskPattern.<TransparencyLog.Command, TransparencyLog.InclusionReply>ask(log,
            reply -> new TransparencyLog.GetInclusionByHash(leafHash, 0, reply), askTimeout, context.getSystem().scheduler())
        .thenCompose(found -> found.problem() == null
            ? CompletableFuture.completedFuture(found.leafIndex())
            : AskPattern.<TransparencyLog.Command, TransparencyLog.Appended>ask(log,
                reply -> new TransparencyLog.Append(der, reply), askTimeout, context.getSystem().scheduler())
                .thenApply(TransparencyLog.Appended::leafIndex))
        .whenComplete((leafIndex, failure) -> {
          if (failure != null) {
            register.replyTo().tell(new Rejected(TrustChainResponse.Reason.LOG_UNAVAILABLE,
                "the transparency log did not take the certificate: " + failure.getMessage()));
          } else {
            self.tell(new RegisterLogged(serial, certificate.getSubjectX500Principal().getName(),
                certificate.getNotAfter().getTime(), leafIndex, register.replyTo()));
          }
        });
    return Effect().none();
  }

  private static X509Certificate parse(byte[] der) throws GeneralSecurityException {
    return (X509Certificate) CertificateFactory.getInstance("X.509", Pq.BC).generateCertificate(new ByteArrayInputStream(der));
  }

  /**
   * Revocation is this entity's state, so it is read here, on the entity's thread; the rest of the
   * renewal check runs with the signature on the signing pool.
   */
  private void startRenew(State state, Renew renew) {
    X509Certificate current;
    try {
      current = parse(renew.currentCertificateDer());
    } catch (GeneralSecurityException | RuntimeException e) {
      renew.replyTo().tell(new Rejected(TrustChainResponse.Reason.INVALID,
          IssuanceDecision.Reason.CURRENT_CERTIFICATE_REFUSED + ": not a DER certificate: " + e.getMessage()));
      return;
    }
    Record record = state.serials.get(serialHex(current.getSerialNumber()));
    Set<BigInteger> revoked = record != null && record.revokedReason != null
        ? Set.of(current.getSerialNumber()) : Set.of();
    startIssue(renew.csrDer(), renew.validitySeconds(),
        (request, validity) -> renewal.check(request, validity, current, revoked), renew.replyTo());
  }

  /** Check, sign, log: off the entity's thread; the result comes back as {@link Logged} or goes straight to the caller. */
  private void startIssue(byte[] csrDer, long validitySeconds,
                          BiFunction<PKCS10CertificationRequest, Duration, IssuanceDecision> decide,
                          ActorRef<TrustChainResponse> replyTo) {
    ActorRef<Command> self = context.getSelf();
    CompletableFuture.supplyAsync(() -> sign(csrDer, validitySeconds, decide), signing)
        .thenCompose(signed -> {
          if (signed instanceof Rejected rejected) {
            replyTo.tell(rejected);
            return CompletableFuture.completedFuture(null);
          }
          SignedCertificate certificate = (SignedCertificate) signed;
          return AskPattern.<TransparencyLog.Command, TransparencyLog.Appended>ask(log,
                  logReply -> new TransparencyLog.Append(certificate.der(), logReply), askTimeout, context.getSystem().scheduler())
              .thenAccept(appended -> self.tell(new Logged(certificate.serialHex(), certificate.subject(), certificate.notAfterMillis(),
                  appended.leafIndex(), certificate.der(), appended.receipt(), replyTo)))
              .toCompletableFuture();
        })
        .exceptionally(failure -> {
          replyTo.tell(new Rejected(TrustChainResponse.Reason.LOG_UNAVAILABLE,
              "the transparency log did not take the certificate, so it was not issued: " + failure.getMessage()));
          return null;
        });
  }

  private record SignedCertificate(String serialHex, String subject, long notAfterMillis, byte[] der) {
  }

  /** Policy check and signature; a {@link Rejected} or a {@link SignedCertificate}. Never throws. */
  private Object sign(byte[] csrDer, long validitySeconds,
                      BiFunction<PKCS10CertificationRequest, Duration, IssuanceDecision> decide) {
    PKCS10CertificationRequest request;
    try {
      request = SigningRequests.fromDer(csrDer);
    } catch (IllegalArgumentException e) {
      return new Rejected(TrustChainResponse.Reason.INVALID, "MALFORMED_REQUEST: " + e.getMessage());
    }
    Duration validity;
    if (validitySeconds < 0) {
      return new Rejected(TrustChainResponse.Reason.INVALID, "VALIDITY_NOT_ALLOWED: negative validity");
    } else if (validitySeconds == 0) {
      Duration max = policy.maxValidity(requestedRole(request));
      validity = max == null ? Duration.ofHours(24) : max;
    } else {
      validity = Duration.ofSeconds(validitySeconds);
    }
    IssuanceDecision decision;
    try {
      decision = decide.apply(request, validity);
    } catch (RuntimeException e) {
      return new Rejected(TrustChainResponse.Reason.INVALID, "MALFORMED_REQUEST: " + e.getMessage());
    }
    if (decision instanceof IssuanceDecision.Refused refused) {
      return new Rejected(TrustChainResponse.Reason.INVALID, refused.reason() + ": " + refused.detail());
    }
    IssuanceDecision.Approved approved = (IssuanceDecision.Approved) decision;
    BigInteger serial = CertificateIssuer.randomSerial();
    try {
      X509Certificate certificate = issuer.issue(approved, serial);
      return new SignedCertificate(serialHex(serial),
          certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().getTime(), certificate.getEncoded());
    } catch (CertificateEncodingException | RuntimeException e) {
      return new Rejected(TrustChainResponse.Reason.INVALID, "cannot issue this request: " + e.getMessage());
    }
  }

  /** The OU of the request's subject as a role, if readable; only to pick the default validity. */
  private static TrustRole requestedRole(PKCS10CertificationRequest request) {
    try {
      for (RDN rdn : request.getSubject().getRDNs(BCStyle.OU)) {
        return TrustRole.fromUnit(IETFUtils.valueToString(rdn.getFirst().getValue())).orElse(TrustRole.NODE);
      }
    } catch (RuntimeException unreadable) {
      // The policy check reports the unreadable subject.
    }
    return TrustRole.NODE;
  }

  private Effect<Event, State> flush() {
    if (pending.isEmpty()) {
      return Effect().none();
    }
    List<Logged> batch = new ArrayList<>(pending.subList(0, Math.min(MAX_BATCH, pending.size())));
    pending.subList(0, batch.size()).clear();
    if (!pending.isEmpty()) {
      context.getSelf().tell(new Flush());
    }
    List<Event> events = new ArrayList<>();
    for (Logged logged : batch) {
      events.add(new CertificateIssued(logged.serialHex(), logged.subject(), logged.notAfterMillis(), logged.leafIndex()));
    }
    List<byte[]> chain = new ArrayList<>();
    try {
      for (X509Certificate certificate : issuer.chain()) {
        chain.add(certificate.getEncoded());
      }
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    List<byte[]> chainDer = List.copyOf(chain);
    return Effect().persist(events).thenRun(state -> {
      for (Logged logged : batch) {
        logged.replyTo().tell(new TrustChainResponse.Issued(logged.certificateDer(), chainDer, logged.receipt(),
            logPublicKey.clone()));
      }
    });
  }

  private Effect<Event, State> revoke(State state, Revoke revoke) {
    String serial = normalize(revoke.serialHex());
    Record record = serial == null ? null : state.serials.get(serial);
    if (record == null) {
      return Effect().reply(revoke.replyTo(), new Rejected(TrustChainResponse.Reason.NOT_FOUND,
          "this CA never issued serial " + revoke.serialHex()));
    }
    if (record.revokedReason != null) {
      return Effect().reply(revoke.replyTo(), new Rejected(TrustChainResponse.Reason.ALREADY_REVOKED,
          "serial " + serial + " was revoked (" + record.revokedReason.rfcName() + ") at "
              + java.time.Instant.ofEpochMilli(record.revokedAtMillis)));
    }
    long now = clock.millis();
    return Effect().persist(new CertificateRevoked(serial, revoke.reason(), now))
        .thenReply(revoke.replyTo(), s -> new TrustChainResponse.Revoked(serial, revoke.reason(), now));
  }

  private static TrustChainResponse status(State state, String serialHex) {
    String serial = normalize(serialHex);
    Record record = serial == null ? null : state.serials.get(serial);
    if (record == null) {
      return new TrustChainResponse.Status(serialHex, CertificateState.UNKNOWN, null, 0, -1, 0);
    }
    if (record.revokedReason != null) {
      return new TrustChainResponse.Status(serial, CertificateState.REVOKED, record.revokedReason,
          record.revokedAtMillis, record.leafIndex, record.notAfterMillis);
    }
    return new TrustChainResponse.Status(serial, CertificateState.GOOD, null, 0, record.leafIndex,
        record.notAfterMillis);
  }

  /** Lower-case hex without leading zeros, or null if it is not a positive hex number of at most 20 octets. */
  public static String normalize(String serialHex) {
    if (serialHex == null || serialHex.isEmpty() || serialHex.length() > 42) {
      return null;
    }
    String digits = serialHex.startsWith("0x") || serialHex.startsWith("0X") ? serialHex.substring(2) : serialHex;
    try {
      BigInteger value = new BigInteger(digits.replace(":", ""), 16);
      return value.signum() > 0 && value.bitLength() <= 160 ? serialHex(value) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public static String serialHex(BigInteger serial) {
    return serial.toString(16).toLowerCase(Locale.ROOT);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(CertificateIssued.class, (state, issued) -> {
          state.serials.put(issued.serialHex(), new Record(issued.notAfterMillis(), issued.leafIndex()));
          return state;
        })
        .onEvent(CertificateRevoked.class, (state, revoked) -> {
          Record record = state.serials.get(revoked.serialHex());
          if (record != null) {
            record.revokedReason = revoked.reason();
            record.revokedAtMillis = revoked.revokedAtMillis();
          }
          return state;
        })
        .build();
  }
}
