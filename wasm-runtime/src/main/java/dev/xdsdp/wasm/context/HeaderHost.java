package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.abi.MapType;

/**
 * The proxied stream's header maps (cpp-host's {@code HeaderInterface}). Only the four stream maps
 * come here; HTTP-call and gRPC maps are kept by the runtime.
 */
public interface HeaderHost {

  /**
   * The map of {@code type} ({@link MapType#isStream()} is true), or null when the stream does not
   * have it at this point. With {@code forWrite}, a request for trailers during the last body
   * callback may create them (Envoy's {@code addDecodedTrailers}/{@code addEncodedTrailers}).
   * The runtime refuses writes in the access-log phase itself.
   */
  HeaderMap headerMap(MapType type, boolean forWrite);
}
