package dev.xdsdp.wasm.abi;

/** {@code proxy_buffer_type_t}. */
public enum BufferType {
  HTTP_REQUEST_BODY,
  HTTP_RESPONSE_BODY,
  DOWNSTREAM_DATA,
  UPSTREAM_DATA,
  HTTP_CALL_RESPONSE_BODY,
  GRPC_RECEIVE_BUFFER,
  VM_CONFIGURATION,
  PLUGIN_CONFIGURATION,
  CALL_DATA;

  private static final BufferType[] VALUES = values();

  /** The type for an ABI value, or null when out of range. */
  public static BufferType fromCode(long code) {
    return code >= 0 && code < VALUES.length ? VALUES[(int) code] : null;
  }
}
