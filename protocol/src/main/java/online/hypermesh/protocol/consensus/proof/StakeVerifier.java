package online.hypermesh.protocol.consensus.proof;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.crypto.VerifiedCertificate;
import online.hypermesh.protocol.crypto.VerifiedChainCache;

/**
 * PoStake (who). The sender's chain must parse as exact DER, chain to the trust anchor, be valid
 * now, not be revoked and end in a node certificate ({@link CertificateVerifier}); the leaf's
 * FALCON-1024 key must have signed {@link TransactionDigest#signedBytes}; and the account of that
 * key ({@link Accounts}) must have at least {@link ChainParameters#minStake} bonded.
 *
 * <p>Senders are nodes: a client's request becomes a transaction at the node that serves it,
 * which is also what PoSpace needs (a certified address and a plot).
 */
public final class StakeVerifier {

  /** Parsed chains by their bytes' hash: a validator sees the same senders again and again. */
  private static final int PARSED_CACHE = 1024;

  private final ChainParameters params;
  private final CertificateVerifier certificates;
  private final StakeView stakes;
  private final VerifiedChainCache verifiedChains;
  private final Map<String, List<X509Certificate>> parsed =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<X509Certificate>> eldest) {
          return size() > PARSED_CACHE;
        }
      };

  public StakeVerifier(
      ChainParameters params, CertificateVerifier certificates, StakeView stakes) {
    this(params, certificates, stakes, null);
  }

  /** @param verifiedChains sender chains already verified, or null to verify every time */
  public StakeVerifier(
      ChainParameters params,
      CertificateVerifier certificates,
      StakeView stakes,
      VerifiedChainCache verifiedChains) {
    this.params = Objects.requireNonNull(params, "params");
    this.certificates = Objects.requireNonNull(certificates, "certificates");
    this.stakes = Objects.requireNonNull(stakes, "stakes");
    this.verifiedChains = verifiedChains;
  }

  public Verdict verify(Transaction tx, byte[] digest) {
    Checked checked = check(tx, digest);
    return checked.rejection() != null ? checked.rejection() : Verdict.accepted();
  }

  /** The verified sender and its account id, or the rejection. */
  record Checked(VerifiedCertificate sender, byte[] accountId, Verdict.Rejected rejection) {}

  Checked check(Transaction tx, byte[] digest) {
    StakeProof stake = tx.stake();
    if (stake == null) {
      return refuse("missing: the transaction is not signed");
    }
    List<X509Certificate> chain = parseCached(tx.chainBytes());
    if (chain == null) {
      return refuse("the sender chain is not exact DER X.509");
    }
    VerifiedCertificate sender;
    try {
      sender = certificates.verify(chain, null, CertificateRole.NODE, verifiedChains);
    } catch (CertificateRejectedException e) {
      return refuse("sender certificate refused (" + e.reason() + "): " + e.getMessage());
    } catch (RuntimeException e) {
      return refuse("sender certificate unreadable: " + e);
    }
    if (!Falcon.verify(sender.publicKey(), stake.signature(),
        TransactionDigest.signedBytes(digest))) {
      return refuse("the signature does not verify with the sender's key over this digest");
    }
    byte[] account = Accounts.id(sender.publicKey());
    long bonded;
    try {
      bonded = stakes.bondedStake(account);
    } catch (RuntimeException e) {
      return refuse("stake lookup failed: " + e);
    }
    if (bonded < params.minStake()) {
      return refuse("bonded stake " + bonded + " is below the network minimum "
          + params.minStake());
    }
    return new Checked(sender, account, null);
  }

  /**
   * Parsing is a pure function of the bytes, so its result is cached; of verification only the
   * signature checks are (in {@link VerifiedChainCache}, if given), time and revocation are
   * checked every time.
   */
  private List<X509Certificate> parseCached(List<byte[]> ders) {
    MessageDigest sha = TransactionDigest.sha256();
    for (byte[] der : ders) {
      TransactionDigest.block(sha, der);
    }
    String key = HexFormat.of().formatHex(sha.digest());
    synchronized (parsed) {
      List<X509Certificate> chain = parsed.get(key);
      if (chain != null) {
        return chain;
      }
    }
    List<X509Certificate> chain = parse(ders);
    if (chain != null) {
      synchronized (parsed) {
        parsed.put(key, List.copyOf(chain));
      }
    }
    return chain;
  }

  /** The chain as certificates, or null unless every element is exactly one DER certificate. */
  static List<X509Certificate> parse(List<byte[]> ders) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Pq.BC);
      List<X509Certificate> chain = new ArrayList<>(ders.size());
      for (byte[] der : ders) {
        X509Certificate certificate =
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        // The factory ignores trailing bytes; the digest covers them, so refuse them.
        if (certificate == null || !Arrays.equals(certificate.getEncoded(), der)) {
          return null;
        }
        chain.add(certificate);
      }
      return chain;
    } catch (CertificateException | RuntimeException e) {
      return null;
    }
  }

  private static Checked refuse(String reason) {
    return new Checked(null, null, new Verdict.Rejected(ProofKind.STAKE, reason));
  }
}
