package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;

/** Receives a {@link StoqLink}'s messages; called on the connection's event loop, must not block. */
public interface StoqLinkListener {

  /** One message, valid only during the call (read or copy it; never release it). */
  void onMessage(ByteBuf message);

  /** The link is closed (by either end or with the connection); no more messages follow. */
  void onClosed(String reason);
}
