package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.abi.MapType;

/**
 * What the data plane's Wasm network filter offers one TCP connection's context (cpp-host's
 * {@code NetworkInterface}): the {@code DOWNSTREAM_DATA} and {@code UPSTREAM_DATA} buffers through
 * {@link #body}, the connection's facts through {@link #streamInfo()}, and two actions:
 * {@code continueStream(DOWNSTREAM)} resumes the reads the module paused, and
 * {@code closeStream(DOWNSTREAM or UPSTREAM)} closes the connection (Envoy closes the downstream
 * connection for both). A connection has no header maps.
 */
public interface NetworkStreamHost extends StreamHost {

  @Override
  default HeaderMap headerMap(MapType type, boolean forWrite) {
    return null;
  }
}
