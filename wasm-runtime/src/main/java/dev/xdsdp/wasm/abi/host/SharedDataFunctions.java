package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.shared.SharedDataStore;

/** {@code proxy_get_shared_data} and {@code proxy_set_shared_data}, scoped by the plugin's vm_id. */
final class SharedDataFunctions extends AbiFunctions {

  SharedDataFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_get_shared_data", a -> get(a[0], a[1], a[2], a[3], a[4]));
    r.env("proxy_set_shared_data", a -> set(a[0], a[1], a[2], a[3], a[4]));
  }

  private String vmId() {
    return instance.plugin().config().vmId();
  }

  private long get(long keyPtr, long keyLen, long valPtrPtr, long valLenPtr, long casPtr) {
    String key = string(keyPtr, keyLen);
    SharedDataStore.Value v = instance.plugin().sharedData().get(vmId(), key);
    if (v == null) {
      return code(WasmResult.NOT_FOUND);
    }
    memory.check(u32(casPtr), 4);
    memory.copyOut(v.data(), u32(valPtrPtr), u32(valLenPtr));
    memory.writeI32(u32(casPtr), v.cas());
    return OK;
  }

  private long set(long keyPtr, long keyLen, long valPtr, long valLen, long cas) {
    String key = string(keyPtr, keyLen);
    byte[] value = bytes(valPtr, valLen);
    return code(instance.plugin().sharedData().set(vmId(), key, value, (int) cas));
  }
}
