package dev.xdsdp.api.network;

import dev.xdsdp.api.http.BodyBuffer;

/**
 * A filter on a raw downstream connection: Envoy's {@code Network::ReadFilter} and
 * {@code WriteFilter} in one. Read callbacks run first to last, write callbacks last to first; the
 * last read filter is terminal (e.g. {@code tcp_proxy}) and produces the writes.
 *
 * <p>Every method runs on the connection's event loop. Lifecycle: {@link #initialize}, then
 * {@link #onNewConnection} once, then any number of {@link #onData}/{@link #onWrite}, then
 * {@link #onEvent} with the close, then {@link #onDestroy} exactly once, last.
 */
public interface NetworkFilter {

  /** Called once before anything else. */
  default void initialize(NetworkFilterCallbacks callbacks) {}

  /** A connection was accepted; {@link NetworkFilterStatus#STOP_ITERATION} holds the later filters back. */
  default NetworkFilterStatus onNewConnection() {
    return NetworkFilterStatus.CONTINUE;
  }

  /**
   * Bytes from downstream. The filter may change {@code data}; what it leaves there goes to the
   * next filter.
   *
   * @param endStream the downstream closed its side after these bytes
   */
  default NetworkFilterStatus onData(BodyBuffer data, boolean endStream) {
    return NetworkFilterStatus.CONTINUE;
  }

  /**
   * Bytes about to be written to downstream (from the upstream, for a proxy). The filter may
   * change {@code data}; what it leaves there goes on towards the socket.
   *
   * @param endStream nothing follows these bytes (the upstream closed)
   */
  default NetworkFilterStatus onWrite(BodyBuffer data, boolean endStream) {
    return NetworkFilterStatus.CONTINUE;
  }

  /** The downstream connection closed; no data callbacks follow. */
  default void onEvent(ConnectionEvent event) {}

  /**
   * The downstream socket's write queue is full: stop producing (a proxy pauses its upstream)
   * until {@link #onBelowWriteBufferLowWatermark}.
   */
  default void onAboveWriteBufferHighWatermark() {}

  /** The downstream socket's write queue drained: producing may resume. */
  default void onBelowWriteBufferLowWatermark() {}

  /** The connection is gone: release what the filter holds. Called once, last. */
  default void onDestroy() {}
}
