package online.hypermesh.protocol.caesar;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.proof.Accounts;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.Pq;
import online.hypermesh.protocol.crypto.VerifiedChainCache;

/**
 * The account owner's consent to one CAES operation. The consensus envelope is sent (and its four
 * proofs given) by the node serving the request; the account debited is the owner's: {@code
 * Accounts.id} of the leaf certificate's FALCON-1024 key, which signed {@link #signedBytes}
 * (domain, chain id, the envelope kind's code, the operation's encoding with its nonce). So a
 * serving node cannot spend a user's funds, an authorization for one chain or kind is worthless
 * for another, and the nonce makes it single-use.
 *
 * <p>Two checks. {@link #owner} is deterministic (the leaf parses as exact DER with a FALCON-1024
 * key that made the signature): what every node runs when it applies a committed block, today or
 * when rebuilding years later. {@link #verify} adds what depends on the clock and the node's
 * revocation list (the chain reaches the trust anchor, every certificate is valid now and not
 * revoked, with the same {@link CertificateVerifier} as PoStake): what a validator runs before it
 * orders the transaction, so 2f+1 voters checked it, as they check PoStake.
 *
 * @param chain the owner's certificate chain as DER, leaf first, 1..{@link
 *     CertificateVerifier#MAX_CHAIN} certificates of 1..{@link #MAX_CERTIFICATE_BYTES} bytes
 * @param signature the owner's FALCON-1024 signature, 1..{@link Falcon#MAX_SIGNATURE_BYTES} bytes
 */
public record OwnerAuthorization(List<byte[]> chain, byte[] signature) {

  public static final int MAX_CERTIFICATE_BYTES = 8 * 1024;
  private static final byte[] DOMAIN = "HM-CAES-OWNER-1".getBytes(StandardCharsets.US_ASCII);

  public OwnerAuthorization {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(signature, "signature");
    if (chain.isEmpty() || chain.size() > CertificateVerifier.MAX_CHAIN) {
      throw new IllegalArgumentException("an owner chain holds 1.." + CertificateVerifier.MAX_CHAIN
          + " certificates, not " + chain.size());
    }
    List<byte[]> copy = new ArrayList<>(chain.size());
    for (byte[] der : chain) {
      if (der == null || der.length == 0 || der.length > MAX_CERTIFICATE_BYTES) {
        throw new IllegalArgumentException(
            "owner certificates are 1.." + MAX_CERTIFICATE_BYTES + " bytes of DER");
      }
      copy.add(der.clone());
    }
    if (signature.length == 0 || signature.length > Falcon.MAX_SIGNATURE_BYTES) {
      throw new IllegalArgumentException("an owner signature is 1.." + Falcon.MAX_SIGNATURE_BYTES
          + " bytes, not " + signature.length);
    }
    chain = List.copyOf(copy);
    signature = signature.clone();
  }

  /** What the owner signs for {@code operation} on chain {@code chainId}. */
  public static byte[] signedBytes(Digest chainId, CaesarTransaction operation) {
    byte[] op = CaesarCodec.operationBytes(operation);
    int kind = CaesarCodec.kindOf(operation).code();
    byte[] out = new byte[DOMAIN.length + Digest.LENGTH + 2 + op.length];
    System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
    System.arraycopy(chainId.bytes(), 0, out, DOMAIN.length, Digest.LENGTH);
    out[DOMAIN.length + Digest.LENGTH] = (byte) (kind >>> 8);
    out[DOMAIN.length + Digest.LENGTH + 1] = (byte) kind;
    System.arraycopy(op, 0, out, DOMAIN.length + Digest.LENGTH + 2, op.length);
    return out;
  }

  /** The owner (holder of {@code key}, certified by {@code chain}) authorizes {@code operation}. */
  public static OwnerAuthorization sign(Digest chainId, CaesarTransaction operation,
      PrivateKey key, List<X509Certificate> chain) {
    List<byte[]> ders = new ArrayList<>(chain.size());
    for (X509Certificate c : chain) {
      try {
        ders.add(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
      }
    }
    return new OwnerAuthorization(ders, Falcon.sign(key, signedBytes(chainId, operation)));
  }

  @Override
  public List<byte[]> chain() {
    List<byte[]> copy = new ArrayList<>(chain.size());
    for (byte[] der : chain) {
      copy.add(der.clone());
    }
    return copy;
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Package view without copies, for the codec. */
  List<byte[]> chainBytes() {
    return chain;
  }

  byte[] signatureBytes() {
    return signature;
  }

  /**
   * The deterministic check: the owner's account id if the leaf is exact DER with a FALCON-1024
   * key and its signature covers {@code operation} on {@code chainId}.
   */
  public Checked<Digest> owner(Digest chainId, CaesarTransaction operation) {
    List<X509Certificate> parsed = parse(chain);
    if (parsed == null) {
      return Checked.refused(Rejection.BAD_AUTHORIZATION,
          "the owner's certificate chain is not exact DER X.509");
    }
    PublicKey key = parsed.get(0).getPublicKey();
    if (!Falcon.isFalcon1024(key)) {
      return Checked.refused(Rejection.BAD_AUTHORIZATION,
          "the owner's certificate key is " + key.getAlgorithm() + ", not " + Falcon.ALGORITHM);
    }
    if (!Falcon.verify(key, signature, signedBytes(chainId, operation))) {
      return Checked.refused(Rejection.BAD_AUTHORIZATION,
          "the owner's signature does not verify over this operation on this chain");
    }
    return Checked.ok(Digest.of(Accounts.id(key)));
  }

  /**
   * {@link #owner} plus the chain to the trust anchor, validity now and revocation, as PoStake
   * checks its sender (any certificate role: owners are nodes or clients).
   *
   * @param cache chains already verified, or null
   */
  public Checked<Digest> verify(Digest chainId, CaesarTransaction operation,
      CertificateVerifier certificates, VerifiedChainCache cache) {
    Checked<Digest> owner = owner(chainId, operation);
    if (!owner.ok()) {
      return owner;
    }
    try {
      certificates.verify(parse(chain), null, null, cache);
    } catch (CertificateRejectedException e) {
      return Checked.refused(Rejection.BAD_AUTHORIZATION,
          "owner certificate refused (" + e.reason() + "): " + e.getMessage());
    } catch (RuntimeException e) {
      return Checked.refused(Rejection.BAD_AUTHORIZATION, "owner certificate unreadable: " + e);
    }
    return owner;
  }

  private static List<X509Certificate> parse(List<byte[]> ders) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Pq.BC);
      List<X509Certificate> out = new ArrayList<>(ders.size());
      for (byte[] der : ders) {
        X509Certificate c =
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        // The factory ignores trailing bytes; the signature covers them, so refuse them.
        if (c == null || !Arrays.equals(c.getEncoded(), der)) {
          return null;
        }
        out.add(c);
      }
      return out;
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof OwnerAuthorization other) || other.chain.size() != chain.size()
        || !Arrays.equals(signature, other.signature)) {
      return false;
    }
    for (int i = 0; i < chain.size(); i++) {
      if (!Arrays.equals(chain.get(i), other.chain.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(signature);
    for (byte[] der : chain) {
      h = 31 * h + Arrays.hashCode(der);
    }
    return h;
  }

  @Override
  public String toString() {
    return "OwnerAuthorization[" + chain.size() + " certificates, signature " + signature.length
        + " B]";
  }
}
