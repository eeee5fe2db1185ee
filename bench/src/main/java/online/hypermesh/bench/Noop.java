package online.hypermesh.bench;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** A pass-through handler that may sit in many pipelines (QUIC needs one per connection). */
@ChannelHandler.Sharable
final class Noop extends ChannelInboundHandlerAdapter {
  static final Noop INSTANCE = new Noop();

  private Noop() {}
}
