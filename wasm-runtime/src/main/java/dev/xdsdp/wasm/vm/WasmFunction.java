package dev.xdsdp.wasm.vm;

/** An exported guest function, bound to one VM instance. */
public interface WasmFunction {

  String name();

  /**
   * Calls the function. Every proxy-wasm callback takes i32 parameters only, so each argument is
   * passed as an i32. Returns the result (an i32 sign-extended), or 0 for a function returning
   * nothing.
   *
   * @throws WasmFault when the guest traps, is interrupted, or a host function aborts it
   */
  long call(long... args);
}
