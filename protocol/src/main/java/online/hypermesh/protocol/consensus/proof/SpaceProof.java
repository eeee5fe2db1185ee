package online.hypermesh.protocol.consensus.proof;

import java.util.List;
import java.util.Objects;

/**
 * PoSpace: the location claim (bound by the digest) and the answer to the storage challenge
 * (excluded from the digest, because the challenge is derived from it): one opening per
 * challenged leaf, in challenge order (see {@link SpaceChallenge}).
 */
public record SpaceProof(LocationClaim claim, List<PlotOpening> openings) {

  public SpaceProof {
    Objects.requireNonNull(claim, "claim");
    openings = List.copyOf(openings);
    if (openings.size() > ChainParameters.MAX_CHALLENGES) {
      throw new IllegalArgumentException(
          "at most " + ChainParameters.MAX_CHALLENGES + " openings, not " + openings.size());
    }
  }
}
