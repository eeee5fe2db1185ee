package online.hypermesh.protocol.consensus.bft;

/** Everything validators send each other; {@link Codec} encodes and decodes them. */
public sealed interface ConsensusMessage
    permits Proposal, Vote, Timeout, BlockRequest, BlockResponse, TransactionShare {}
