package dev.xdsdp.wasm.abi.memory;

/**
 * A guest pointer or length outside the guest's memory, or a failed guest allocation. Host
 * functions turn it into {@code INVALID_MEMORY_ACCESS} (proxy-wasm) or {@code FAULT} (WASI).
 */
public final class MemoryAccessException extends RuntimeException {
  public MemoryAccessException(String message) {
    super(message, null, false, false);
  }
}
