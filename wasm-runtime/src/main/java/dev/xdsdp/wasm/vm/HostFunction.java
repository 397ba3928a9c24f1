package dev.xdsdp.wasm.vm;

/**
 * The Java side of one import. Arguments arrive widened to {@code long} in declaration order (an
 * i32 is sign-extended); the return value is narrowed to the declared result type and ignored for
 * functions returning nothing.
 *
 * <p>Throwing {@link WasmFault} aborts the running guest call (how {@code proc_exit} ends a VM);
 * any other exception is a host bug and also aborts it, as a {@link WasmFault.Kind#HOST_ERROR}.
 */
@FunctionalInterface
public interface HostFunction {
  long call(long[] args);
}
