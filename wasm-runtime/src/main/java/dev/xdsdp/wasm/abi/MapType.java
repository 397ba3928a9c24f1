package dev.xdsdp.wasm.abi;

/** {@code proxy_map_type_t}. */
public enum MapType {
  HTTP_REQUEST_HEADERS,
  HTTP_REQUEST_TRAILERS,
  HTTP_RESPONSE_HEADERS,
  HTTP_RESPONSE_TRAILERS,
  GRPC_CALL_INITIAL_METADATA,
  GRPC_CALL_TRAILING_METADATA,
  HTTP_CALL_RESPONSE_HEADERS,
  HTTP_CALL_RESPONSE_TRAILERS;

  private static final MapType[] VALUES = values();

  /** The type for an ABI value, or null when out of range. */
  public static MapType fromCode(long code) {
    return code >= 0 && code < VALUES.length ? VALUES[(int) code] : null;
  }

  /** True for the four maps of the proxied HTTP stream, which the data plane owns. */
  public boolean isStream() {
    return ordinal() <= HTTP_RESPONSE_TRAILERS.ordinal();
  }
}
