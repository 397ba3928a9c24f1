package dev.xdsdp.xds.transport;

/**
 * One open discovery stream. Methods may be called from any one thread at a time; the owner calls
 * them from the xDS context.
 *
 * @param <Q> the request message
 */
public interface XdsStream<Q> {

  /** Queues {@code request} for sending; does nothing once the stream is closed. */
  void send(Q request);

  /** Cancels the stream; the handler sees no more events. */
  void close();
}
