package dev.xdsdp.wasm.context;

import dev.xdsdp.wasm.abi.StreamType;

/**
 * What the data plane offers one stream context, HTTP or TCP (cpp-host's {@code StreamInterface}
 * with the header, buffer and property roles). All methods are called on the stream's event loop.
 * Stream actions requested by the module arrive after the module's callback has returned, as in
 * cpp-host's {@code addAfterVmCallAction}, so the host may re-enter its filter chain from them.
 */
public interface StreamHost extends HeaderHost, BufferHost, PropertyHost {

  /** Resume what the module paused: the request or response of an HTTP stream, the downstream reads of a TCP one. */
  void continueStream(StreamType type);

  /**
   * Abort: reset an HTTP stream ({@code resetStream()} with response details
   * {@code wasm_close_stream} in Envoy), close a TCP connection.
   */
  void closeStream(StreamType type);
}
