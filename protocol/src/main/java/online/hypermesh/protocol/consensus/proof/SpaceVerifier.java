package online.hypermesh.protocol.consensus.proof;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import online.hypermesh.protocol.crypto.VerifiedCertificate;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleProofVerifier;
import online.hypermesh.protocol.trustchain.ProofVerdict;

/**
 * PoSpace (where). The location claim's IPv6 address must be one of the sender certificate's IP
 * subjectAltNames, and its region the one registered for the account ({@link RegionRegistry}:
 * certificates carry no region yet). The storage answer must open, in order, the leaves {@link
 * SpaceChallenge} derives from the referenced block's hash, the transaction id and the hashcash
 * nonce: each opening's leaf must be the plot's leaf at that index ({@link Plot#leaf}) and its
 * path must lead to the registered root ({@link PlotRegistry}) with RFC 6962 hashing.
 *
 * <p>Takes the sender as PoStake verified it: the certificate is trusted only after its chain
 * was checked, so run this after {@link StakeVerifier} (as {@link NKryptVerifier} does).
 */
public final class SpaceVerifier {

  private static final int SAN_IP_ADDRESS = 7;

  private final ChainParameters params;
  private final PlotRegistry plots;
  private final RegionRegistry regions;

  public SpaceVerifier(ChainParameters params, PlotRegistry plots, RegionRegistry regions) {
    this.params = Objects.requireNonNull(params, "params");
    this.plots = Objects.requireNonNull(plots, "plots");
    this.regions = Objects.requireNonNull(regions, "regions");
  }

  /**
   * @param sender the chain PoStake verified
   * @param referenced the block the transaction's tick reference names (seeds the challenge)
   */
  public Verdict verify(
      Transaction tx, byte[] transactionId, VerifiedCertificate sender, BlockTick referenced) {
    SpaceProof space = tx.space();
    if (space == null) {
      return refuse("missing: no location claim and no storage answer");
    }
    LocationClaim claim = space.claim();
    Inet6Address address = claim.inet6Address();
    if (address == null) {
      return refuse("the claimed address is not an IPv6 address");
    }
    if (!certifies(sender.leaf(), address)) {
      return refuse("the sender certificate does not carry the claimed address "
          + address.getHostAddress());
    }
    byte[] account = Accounts.id(sender.publicKey());
    Optional<String> region;
    Optional<PlotCommitment> plot;
    try {
      region = regions.regionOf(account);
      plot = plots.plotOf(account);
    } catch (RuntimeException e) {
      return refuse("state lookup failed: " + e);
    }
    if (region == null || region.isEmpty()) {
      return refuse("no region is registered for the sender");
    }
    if (!region.get().equals(claim.region())) {
      return refuse("claims region '" + claim.region() + "', registered region is '"
          + region.get() + "'");
    }
    if (plot == null || plot.isEmpty()) {
      return refuse("no plot is registered for the sender");
    }
    PlotCommitment commitment = plot.get();
    long leafCount = commitment.leafCount();
    if (leafCount < params.minPlotLeaves() || leafCount > ChainParameters.MAX_PLOT_LEAVES) {
      return refuse("the registered plot has " + leafCount + " leaves, the network needs "
          + params.minPlotLeaves() + ".." + ChainParameters.MAX_PLOT_LEAVES);
    }
    byte[] root = commitment.root();
    if (root.length != MerkleHashes.HASH_BYTES) {
      return refuse("the registered plot root is not a 32-byte hash");
    }
    List<PlotOpening> openings = space.openings();
    if (openings.size() != params.challengeCount()) {
      return refuse("the answer opens " + openings.size() + " leaves, the challenge asks for "
          + params.challengeCount());
    }
    if (tx.work() == null) {
      return refuse("no hashcash nonce to derive the challenge from");
    }
    long[] indices = SpaceChallenge.indices(referenced.blockHash(), transactionId,
        tx.work().nonce(), leafCount, params.challengeCount());
    for (int j = 0; j < indices.length; j++) {
      PlotOpening opening = openings.get(j);
      byte[] leaf = opening.leaf();
      if (leaf.length != params.plotLeafBytes()) {
        return refuse("opening " + j + " has a leaf of " + leaf.length + " bytes, plots use "
            + params.plotLeafBytes());
      }
      if (!MessageDigest.isEqual(leaf, Plot.leaf(account, indices[j], params.plotLeafBytes()))) {
        return refuse("opening " + j + ": leaf " + indices[j] + " is not the sender's plot data");
      }
      ProofVerdict inclusion = MerkleProofVerifier.verifyInclusion(
          indices[j], leafCount, MerkleHashes.leafHash(leaf), opening.path(), root);
      if (!inclusion.isValid()) {
        return refuse("opening " + j + ": leaf " + indices[j] + " is not in the registered plot ("
            + inclusion.failure() + ": " + inclusion.detail() + ")");
      }
    }
    return Verdict.accepted();
  }

  /** Whether one of the leaf's IP subjectAltNames is {@code address} (byte comparison). */
  static boolean certifies(X509Certificate leaf, Inet6Address address) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException | RuntimeException e) {
      return false;
    }
    if (names == null) {
      return false;
    }
    for (List<?> name : names) {
      if (name.size() < 2 || !Integer.valueOf(SAN_IP_ADDRESS).equals(name.get(0))
          || !(name.get(1) instanceof String literal) || !literal.contains(":")) {
        continue; // only IPv6 literals: a colon-free string could trigger a DNS lookup
      }
      try {
        if (Arrays.equals(InetAddress.getByName(literal).getAddress(), address.getAddress())) {
          return true;
        }
      } catch (Exception e) {
        // not an address literal: not a match
      }
    }
    return false;
  }

  private static Verdict refuse(String reason) {
    return Verdict.rejected(ProofKind.SPACE, reason);
  }
}
