package dev.xdsdp.wasm.abi;

/** {@code proxy_stream_type_t} (ABI 0.2.x). */
public enum StreamType {
  HTTP_REQUEST,
  HTTP_RESPONSE,
  DOWNSTREAM,
  UPSTREAM;

  private static final StreamType[] VALUES = values();

  public static StreamType fromCode(long code) {
    return code >= 0 && code < VALUES.length ? VALUES[(int) code] : null;
  }
}
