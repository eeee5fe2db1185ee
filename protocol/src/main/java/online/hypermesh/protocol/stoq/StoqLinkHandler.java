package online.hypermesh.protocol.stoq;

/**
 * The server's answer to a link opening ({@link StoqHandler#openLink}): how much the link may
 * queue for sending, and what to do with it once it is accepted.
 */
public interface StoqLinkHandler {

  /** The bound of the accepted link's send queue ({@link StoqLink#maxQueuedBytes()}). */
  long maxQueuedBytes();

  /**
   * Called on the event loop right after the acceptance is sent; call {@link StoqLink#start}
   * (now or later) to receive its messages.
   */
  void opened(StoqLink link);
}
