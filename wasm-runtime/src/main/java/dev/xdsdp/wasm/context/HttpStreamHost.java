package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.LocalReply;

/**
 * What the data plane's Wasm HTTP filter offers one stream's context (cpp-host's
 * {@code HttpInterface} + {@code StreamInterface}, with the header, buffer and property roles).
 * All methods are called on the stream's event loop. Stream actions requested by the module
 * ({@link #continueStream}, {@link #closeStream}, {@link #sendLocalResponse}) arrive after the
 * module's callback has returned, as in cpp-host's {@code addAfterVmCallAction}, so the host may
 * re-enter the filter chain from them.
 */
public interface HttpStreamHost extends StreamHost {

  /**
   * Answer the request from the proxy. The runtime has already made the current callback return a
   * stop status. Also used for the fail-closed reply (503, details {@code wasm_fail_stream},
   * gRPC status UNAVAILABLE) when the VM fails.
   */
  void sendLocalResponse(LocalReply reply);

  /** Forget the cached route (0.1.0's {@code proxy_clear_route_cache}, the {@code clear_route_cache} foreign function). */
  void clearRouteCache();
}
