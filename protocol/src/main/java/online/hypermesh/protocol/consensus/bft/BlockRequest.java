package online.hypermesh.protocol.consensus.bft;

/** Asks a peer for the block {@link #blockId} and up to {@code count - 1} of its ancestors. */
public record BlockRequest(Digest blockId, int count) implements ConsensusMessage {

  void encode(WireWriter w) {
    w.digest(blockId).u16(count);
  }

  static BlockRequest decode(WireReader r) {
    Digest id = r.digest("block id");
    int count = r.u16("count");
    if (count < 1 || count > Codec.MAX_BLOCKS_PER_RESPONSE) {
      throw new WireReader.Malformed("block request count " + count);
    }
    return new BlockRequest(id, count);
  }
}
