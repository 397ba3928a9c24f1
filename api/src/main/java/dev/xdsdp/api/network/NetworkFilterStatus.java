package dev.xdsdp.api.network;

/** What the network filter manager does after a filter callback (Envoy's {@code Network::FilterStatus}). */
public enum NetworkFilterStatus {
  /** The next filter is called with the same data. */
  CONTINUE,
  /**
   * Iteration stops here. Data the filter left in the buffer is kept and handed to it again,
   * together with what arrives next, on its next callback; the filter resumes the chain with
   * {@link NetworkFilterCallbacks#continueReading()} (for reads).
   */
  STOP_ITERATION,
}
