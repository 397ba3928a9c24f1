package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.ContextBase;
import dev.xdsdp.wasm.context.WasmInstance;

/** {@code proxy_call_foreign_function}: runs a host function by name; unknown names are NOT_FOUND. */
final class ForeignFunctionCalls extends AbiFunctions {

  ForeignFunctionCalls(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_call_foreign_function", a -> call(a[0], a[1], a[2], a[3], a[4], a[5]));
  }

  private long call(long namePtr, long nameLen, long argsPtr, long argsLen, long retPtrPtr, long retLenPtr) {
    String name = string(namePtr, nameLen);
    byte[] args = bytes(argsPtr, argsLen);
    memory.check(u32(retPtrPtr), 4);
    memory.check(u32(retLenPtr), 4);
    ForeignFunctions.ForeignFunction fn = instance.plugin().foreignFunctions().find(name);
    if (fn == null) {
      return code(WasmResult.NOT_FOUND);
    }
    ContextBase caller = effective();
    if (caller == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    byte[] result;
    try {
      result = fn.call(caller, args);
    } catch (ForeignFunctions.ForeignFunctionException e) {
      return code(e.result());
    }
    memory.copyOut(result == null ? new byte[0] : result, u32(retPtrPtr), u32(retLenPtr));
    return OK;
  }
}
