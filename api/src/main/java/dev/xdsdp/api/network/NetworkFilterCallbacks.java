package dev.xdsdp.api.network;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stream.StreamInfo;

/**
 * What a network filter can do to its connection (Envoy's {@code ReadFilterCallbacks} and
 * {@code WriteFilterCallbacks}). Call on the connection's event loop only.
 */
public interface NetworkFilterCallbacks {

  /** A process-unique id of the downstream connection. */
  long connectionId();

  /**
   * The connection's facts: addresses, bytes, upstream host and cluster, response flags, filter
   * state. Access logs read it when the connection ends.
   */
  StreamInfo streamInfo();

  /** The connection's event loop, for timers and later work. */
  FilterDispatcher dispatcher();

  /**
   * Resumes the read chain after this filter returned {@link NetworkFilterStatus#STOP_ITERATION}:
   * the filters after it get {@code onNewConnection} (if they have not yet) and the data held
   * back. Harmless when nothing is held.
   */
  void continueReading();

  /**
   * Writes {@code data} to the downstream, through the write filters of the filters before the
   * caller ({@link NetworkFilter#onWrite}); with {@code endStream} the connection is closed once
   * the data is flushed.
   */
  void write(BodyBuffer data, boolean endStream);

  /**
   * Closes the downstream connection: after writing what is pending ({@code flush}) or at once.
   * The filters then see {@link ConnectionEvent#LOCAL_CLOSE}.
   */
  void close(boolean flush);

  /**
   * Stops ({@code true}) or resumes reading from the downstream socket (flow control, or until an
   * upstream is connected). Calls nest like Envoy's {@code readDisable}: each disable needs one
   * enable.
   */
  void readDisable(boolean disable);

  /** True once the downstream connection is closed. */
  boolean closed();

  /**
   * Also counts the bytes read from and written to the downstream socket into these counters
   * (Envoy's {@code setConnectionStats}: {@code tcp.<stat_prefix>.downstream_cx_rx/tx_bytes_total}).
   */
  void setConnectionStats(Counter rxBytesTotal, Counter txBytesTotal);
}
