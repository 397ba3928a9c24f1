package dev.xdsdp.wasm.vm;

/**
 * Module code parsed and validated once by an engine, shared by every VM instantiated from it.
 * Reference-counted by its users: the last {@link #release()} frees the engine's compiled code.
 */
public interface CompiledModule {

  VmKey key();

  /** A new, not yet linked instance. May be called from any thread. */
  WasmVm newVm();

  /** Takes one more reference; pair with {@link #release()}. */
  CompiledModule retain();

  void release();
}
