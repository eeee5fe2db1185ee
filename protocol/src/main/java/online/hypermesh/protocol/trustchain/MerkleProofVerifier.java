package online.hypermesh.protocol.trustchain;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import online.hypermesh.protocol.trustchain.ProofVerdict.Failure;

/**
 * Checks Merkle inclusion and consistency proofs with the iterative algorithms of RFC 9162
 * sections 2.1.3.2 and 2.1.4.2. Deliberately independent of {@link MerkleLog} (which follows the
 * recursive definitions): a client verifying a log must not trust the log's own tree code, and
 * two independent implementations catch each other's mistakes in the tests. Only the hash
 * primitives ({@link MerkleHashes}) are shared.
 *
 * <p>What a proof does not bind: the tree size, beyond the shape of the path. A proof for leaf 0
 * of a tree of 5 leaves also passes as one for a tree of 7 with the same root argument, because
 * both paths have three right siblings; the same holds for the second size of a consistency
 * proof. As in RFC 6962, the size is pinned by the log's signature over (size, root): take both
 * from one verified {@link SignedTreeHead}, which the overloads taking tree heads do.
 *
 * <p>Roots are compared in constant time ({@link MessageDigest#isEqual}). Stateless.
 */
public final class MerkleProofVerifier {

  private MerkleProofVerifier() {}

  /**
   * Verifies that the leaf with hash {@code leafHash} is at {@code leafIndex} in the tree of
   * {@code treeSize} leaves whose root is {@code root} (RFC 9162 section 2.1.3.2).
   */
  public static ProofVerdict verifyInclusion(
      long leafIndex, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root) {
    ProofVerdict shape = checkHashes(proof, leafHash, root);
    if (shape != null) {
      return shape;
    }
    if (leafIndex < 0 || treeSize < 0) {
      return ProofVerdict.refused(Failure.NEGATIVE_VALUE,
          "negative leaf index " + leafIndex + " or tree size " + treeSize);
    }
    // Step 1.
    if (leafIndex >= treeSize) {
      return ProofVerdict.refused(Failure.INDEX_OUT_OF_RANGE,
          "leaf index " + leafIndex + " is not below tree size " + treeSize);
    }
    // Steps 2-3.
    long fn = leafIndex;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    // Step 4.
    for (byte[] p : proof) {
      if (sn == 0) {
        return ProofVerdict.refused(Failure.WRONG_PROOF_LENGTH,
            "proof has " + proof.size() + " hashes, more than leaf " + leafIndex
                + " of a tree of " + treeSize + " needs");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHashes.nodeHash(p, r);
        if ((fn & 1) == 0) {
          // A right edge with no right sibling: climb until this node is a right child.
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = MerkleHashes.nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 5.
    if (sn != 0) {
      return ProofVerdict.refused(Failure.WRONG_PROOF_LENGTH,
          "proof has " + proof.size() + " hashes, fewer than leaf " + leafIndex
              + " of a tree of " + treeSize + " needs");
    }
    if (!MessageDigest.isEqual(r, root)) {
      return ProofVerdict.refused(Failure.WRONG_ROOT,
          "the proof leads to root " + ProofEncoding.base64(r) + ", not the expected "
              + ProofEncoding.base64(root));
    }
    return ProofVerdict.valid();
  }

  /**
   * Inclusion in the tree a signed tree head describes. The head's signature is not checked
   * here: call {@link SignedTreeHead#verify} first.
   */
  public static ProofVerdict verifyInclusion(
      SignedTreeHead head, long leafIndex, byte[] leafHash, List<byte[]> proof) {
    return verifyInclusion(leafIndex, head.treeSize(), leafHash, proof, head.rootHash());
  }

  /**
   * Consistency between two signed tree heads of one log (older first). Their signatures and
   * log ids are not checked here: call {@link SignedTreeHead#verify} on both first.
   */
  public static ProofVerdict verifyConsistency(
      SignedTreeHead older, SignedTreeHead newer, List<byte[]> proof) {
    return verifyConsistency(older.treeSize(), newer.treeSize(), older.rootHash(),
        newer.rootHash(), proof);
  }

  /**
   * Verifies that the tree of {@code firstSize} leaves with root {@code firstRoot} is a prefix
   * of the tree of {@code secondSize} leaves with root {@code secondRoot} (RFC 9162 section
   * 2.1.4.2).
   *
   * <p>The cases the RFC's algorithm does not cover are decided here, strictly: equal sizes need
   * an empty proof and equal roots; a first size of 0 needs an empty proof and the empty tree's
   * root (SHA-256 of nothing) as the first root, so a forged "old root" is never accepted.
   */
  public static ProofVerdict verifyConsistency(
      long firstSize, long secondSize, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
    ProofVerdict shape = checkHashes(proof, firstRoot, secondRoot);
    if (shape != null) {
      return shape;
    }
    if (firstSize < 0 || secondSize < 0) {
      return ProofVerdict.refused(Failure.NEGATIVE_VALUE,
          "negative tree size " + firstSize + " or " + secondSize);
    }
    if (firstSize > secondSize) {
      return ProofVerdict.refused(Failure.SIZES_OUT_OF_ORDER,
          "first size " + firstSize + " is larger than second size " + secondSize);
    }
    if (firstSize == secondSize || firstSize == 0) {
      if (!proof.isEmpty()) {
        return ProofVerdict.refused(Failure.WRONG_PROOF_LENGTH,
            "sizes " + firstSize + " and " + secondSize + " need an empty proof, got "
                + proof.size() + " hashes");
      }
      byte[] expectedFirst = firstSize == 0 ? MerkleHashes.emptyRoot() : secondRoot;
      if (!MessageDigest.isEqual(firstRoot, expectedFirst)) {
        return ProofVerdict.refused(Failure.WRONG_FIRST_ROOT, firstSize == 0
            ? "the root of an empty tree must be SHA-256 of nothing"
            : "equal sizes need equal roots");
      }
      return ProofVerdict.valid();
    }
    // Step 1.
    if (proof.isEmpty()) {
      return ProofVerdict.refused(Failure.WRONG_PROOF_LENGTH,
          "an empty proof cannot link size " + firstSize + " to " + secondSize);
    }
    // Step 2: a first tree that is a complete subtree is itself the proof's starting node.
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(firstSize) == 1) {
      path.add(firstRoot);
    }
    path.addAll(proof);
    // Step 3.
    long fn = firstSize - 1;
    long sn = secondSize - 1;
    // Step 4.
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 5.
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    // Step 6.
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return ProofVerdict.refused(Failure.WRONG_PROOF_LENGTH,
            "proof has " + proof.size() + " hashes, more than sizes " + firstSize + " and "
                + secondSize + " need");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHashes.nodeHash(c, fr);
        sr = MerkleHashes.nodeHash(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        sr = MerkleHashes.nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    // Step 7.
    if (sn != 0) {
      return ProofVerdict.refused(Failure.WRONG_PROOF_LENGTH,
          "proof has " + proof.size() + " hashes, fewer than sizes " + firstSize + " and "
              + secondSize + " need");
    }
    if (!MessageDigest.isEqual(fr, firstRoot)) {
      return ProofVerdict.refused(Failure.WRONG_FIRST_ROOT,
          "the proof leads to first root " + ProofEncoding.base64(fr) + ", not "
              + ProofEncoding.base64(firstRoot));
    }
    if (!MessageDigest.isEqual(sr, secondRoot)) {
      return ProofVerdict.refused(Failure.WRONG_SECOND_ROOT,
          "the proof leads to second root " + ProofEncoding.base64(sr) + ", not "
              + ProofEncoding.base64(secondRoot));
    }
    return ProofVerdict.valid();
  }

  /** Null if every hash is present and 32 bytes long. */
  private static ProofVerdict checkHashes(List<byte[]> proof, byte[] first, byte[] second) {
    if (proof == null) {
      return ProofVerdict.refused(Failure.MALFORMED_HASH, "no proof");
    }
    if (!isHash(first) || !isHash(second)) {
      return ProofVerdict.refused(Failure.MALFORMED_HASH,
          "leaf and root hashes must be " + MerkleHashes.HASH_BYTES + " bytes");
    }
    for (int i = 0; i < proof.size(); i++) {
      if (!isHash(proof.get(i))) {
        return ProofVerdict.refused(Failure.MALFORMED_HASH,
            "proof hash " + i + " is not " + MerkleHashes.HASH_BYTES + " bytes");
      }
    }
    return null;
  }

  private static boolean isHash(byte[] hash) {
    return hash != null && hash.length == MerkleHashes.HASH_BYTES;
  }
}
