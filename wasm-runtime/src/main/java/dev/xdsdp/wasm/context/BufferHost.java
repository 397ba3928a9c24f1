package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.wasm.abi.BufferType;

/**
 * The proxied stream's body buffers (cpp-host's {@code BufferInterface} for stream data).
 * Configuration, call-response and foreign-function buffers are kept by the runtime.
 */
public interface BufferHost {

  /**
   * The body of {@code type} the current callback may see and change ({@code HTTP_REQUEST_BODY}
   * or {@code HTTP_RESPONSE_BODY}; the whole buffered body while the filter is buffering), or null
   * when there is none now.
   */
  BodyBuffer body(BufferType type);
}
