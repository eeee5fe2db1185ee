package online.hypermesh.protocol.caesar;

import java.util.List;
import online.hypermesh.protocol.consensus.bft.Digest;

/**
 * A read of one account: the liquid balance with demurrage applied as of {@code asOfMillis}, the
 * next nonce it must use, its bonded stake and its stake still unbonding.
 */
public record AccountView(
    Digest id, long balance, long asOfMillis, long nonce, long bonded, List<Unbonding> unbonding) {

  public AccountView {
    unbonding = List.copyOf(unbonding);
  }
}
