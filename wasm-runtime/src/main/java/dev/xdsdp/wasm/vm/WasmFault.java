package dev.xdsdp.wasm.vm;

/**
 * A guest call that did not complete: the VM that raised it is no longer trustworthy and is
 * replaced, never called again.
 */
public class WasmFault extends RuntimeException {

  /** Why the call ended. */
  public enum Kind {
    /** The guest trapped: {@code unreachable}, out-of-bounds access, stack overflow, ... */
    TRAP,
    /** The watchdog interrupted a call that exceeded its CPU budget. */
    CPU_LIMIT,
    /** The guest asked to exit ({@code proc_exit}), which a proxy treats as an abort. */
    EXIT,
    /** The guest ran out of memory under the configured page limit. */
    MEMORY_LIMIT,
    /** A host function failed unexpectedly (a bug on our side, reported as a VM failure). */
    HOST_ERROR,
    /** The VM was closed while a call was running. */
    CLOSED,
  }

  private final Kind kind;

  public WasmFault(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public WasmFault(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String getMessage() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + super.getMessage();
  }
}
