package online.hypermesh.protocol.consensus.bft;

import java.util.ArrayList;
import java.util.List;

/**
 * Blocks answering a {@link BlockRequest}, newest first, each the parent of the one before. They
 * need no signature: the receiver accepts only blocks whose id it already trusts (from a verified
 * QC or as the parent of a trusted block), and the id is a hash of the content.
 */
public record BlockResponse(List<Block> blocks) implements ConsensusMessage {

  public BlockResponse {
    blocks = List.copyOf(blocks);
  }

  void encode(WireWriter w) {
    w.u16(blocks.size());
    for (Block b : blocks) {
      b.encode(w);
    }
  }

  static BlockResponse decode(WireReader r) {
    int count = r.u16("block count");
    if (count > Codec.MAX_BLOCKS_PER_RESPONSE) {
      throw new WireReader.Malformed("block response with " + count + " blocks");
    }
    List<Block> blocks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      blocks.add(Block.decode(r));
    }
    return new BlockResponse(blocks);
  }
}
