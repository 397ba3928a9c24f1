package dev.xdsdp.wasm.vm;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One instance of a compiled module, with its own memory and globals: Envoy's per-worker VM copy.
 * Single-threaded: calls come from one thread at a time (the owning event loop), except
 * {@link #interrupt()}, which the watchdog calls from its own thread.
 *
 * <p>This is the only seam between the proxy-wasm host and the engine; a second engine would
 * implement it and run the same ABI tests.
 */
public interface WasmVm extends AutoCloseable {

  /**
   * Links the imports and instantiates the module, which runs its start section. Every import the
   * module declares must be in {@code imports} (the validator checks that first).
   *
   * @throws WasmFault when the start section traps
   */
  void link(List<HostImport> imports);

  /** The exported function {@code name}, or null when the module exports no such function. */
  WasmFunction function(String name);

  /**
   * The exported memory as a little-endian buffer over the live bytes. The buffer is replaced when
   * the guest grows its memory, so callers fetch it again after any guest call.
   *
   * @throws IllegalStateException when the module exports no memory
   */
  ByteBuffer memory();

  /** Current size of the exported memory in bytes (0 before linking). */
  long memorySize();

  /**
   * Stops the call running on another thread as soon as possible; it fails with
   * {@link WasmFault.Kind#CPU_LIMIT}. Safe to call from any thread, at any time.
   */
  void interrupt();

  /** Releases the instance. A call running on another thread fails with {@link WasmFault}. */
  @Override
  void close();
}
