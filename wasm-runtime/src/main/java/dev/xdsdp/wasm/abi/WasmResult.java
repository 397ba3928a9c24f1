package dev.xdsdp.wasm.abi;

/** {@code proxy_status_t}: what every proxy-wasm hostcall returns. */
public enum WasmResult {
  OK(0),
  NOT_FOUND(1),
  BAD_ARGUMENT(2),
  SERIALIZATION_FAILURE(3),
  PARSE_FAILURE(4),
  BAD_EXPRESSION(5),
  INVALID_MEMORY_ACCESS(6),
  EMPTY(7),
  CAS_MISMATCH(8),
  RESULT_MISMATCH(9),
  INTERNAL_FAILURE(10),
  BROKEN_CONNECTION(11),
  UNIMPLEMENTED(12);

  private final int code;

  WasmResult(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static WasmResult fromCode(int code) {
    for (WasmResult r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown proxy_status_t " + code);
  }
}
