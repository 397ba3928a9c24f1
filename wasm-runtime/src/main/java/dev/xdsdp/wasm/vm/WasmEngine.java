package dev.xdsdp.wasm.vm;

/**
 * Compiles modules and reports what the engine runs on. Thread-safe. Compiling is slow on
 * GraalWasm (hundreds of milliseconds for a large module), so callers compile off the event loops
 * and the engine caches by {@link VmKey}.
 */
public interface WasmEngine extends AutoCloseable {

  /** The runtime's short name, e.g. {@code graalwasm}. */
  String name();

  /** True when guest code is compiled to machine code; false for an interpreter-only engine. */
  boolean jitEnabled();

  /** A description of the implementation, e.g. {@code GraalVM CE} or {@code Interpreted}. */
  String implementationName();

  /**
   * Parses and validates {@code bytes}, or returns the cached result for {@code key}. The caller
   * owns one reference to the result.
   *
   * @throws IllegalArgumentException when the engine rejects the bytes
   */
  CompiledModule compile(VmKey key, byte[] bytes);

  @Override
  void close();
}
