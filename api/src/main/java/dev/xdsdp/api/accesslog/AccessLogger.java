package dev.xdsdp.api.accesslog;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.StreamInfo;

/**
 * Writes one access log entry per finished stream. Called on the stream's event loop; must not
 * block (file I/O happens elsewhere).
 */
@FunctionalInterface
public interface AccessLogger {

  /**
   * @param requestHeaders may be null when the request never got that far
   * @param responseHeaders may be null
   * @param responseTrailers may be null
   */
  void log(HeaderMap requestHeaders, HeaderMap responseHeaders, HeaderMap responseTrailers, StreamInfo info);

  /**
   * Called once when no listener config uses this logger any more and its last stream has ended
   * (a Wasm access logger closes its VMs here).
   */
  default void release() {}
}
