package dev.xdsdp.xds.transport;

/**
 * Receives what happens on an {@link XdsStream}. Called on a transport thread, one event at a time
 * and in order; implementations hop onto their own executor.
 *
 * @param <R> the response message
 */
public interface StreamEventHandler<R> {

  /** A response arrived. */
  void onMessage(R response);

  /**
   * The stream ended, by the server or by a failure (no more events follow).
   *
   * @param error why, or null when the server closed it cleanly
   */
  void onClose(Throwable error);
}
