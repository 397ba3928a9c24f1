package dev.xdsdp.wasm;

/**
 * A module or plugin that cannot be used: bad bytes, an unknown ABI, an import this host does not
 * provide, a callback with the wrong signature, or {@code on_vm_start}/{@code on_configure}
 * returning false. The data plane turns it into a NACK (or a failed start) with this message.
 */
public class WasmException extends RuntimeException {

  public WasmException(String message) {
    super(message);
  }

  public WasmException(String message, Throwable cause) {
    super(message, cause);
  }
}
