package online.hypermesh.protocol.caesar;

/** Stake on its way out: {@code amount} returns to the liquid balance at {@code releaseHeight}. */
public record Unbonding(long amount, long releaseHeight) {}
