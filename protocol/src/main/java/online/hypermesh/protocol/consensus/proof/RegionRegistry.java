package online.hypermesh.protocol.consensus.proof;

import java.util.Optional;

/**
 * The region each account is registered in, from the committed state. Node certificates carry
 * the node's addresses (subjectAltName) but no region yet, so the region half of a location claim
 * is checked against this registry; once TrustChain certifies regions, an implementation can
 * read the region from the sender's certificate instead.
 */
@FunctionalInterface
public interface RegionRegistry {
  Optional<String> regionOf(byte[] accountId);
}
