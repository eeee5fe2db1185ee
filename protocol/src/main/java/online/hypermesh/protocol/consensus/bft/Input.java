package online.hypermesh.protocol.consensus.bft;

import java.util.List;

/** What drives {@link BftCore}: a message, a timer it asked for, or transactions to order. */
public sealed interface Input {

  /** A decoded message from validator {@code from} (transport identity; trust comes from signatures). */
  record Received(int from, ConsensusMessage message) implements Input {}

  /** The timer set by {@link Output.SetTimer} for {@code round} fired. */
  record TimerExpired(long round) implements Input {}

  /** The timer set by {@link Output.SetProposalTimer} for {@code round} fired. */
  record ProposalDue(long round) implements Input {}

  /** Transactions for this validator's pool, proposed when it leads. */
  record SubmitTransactions(List<Transaction> transactions) implements Input {}
}
