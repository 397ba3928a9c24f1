package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.shared.SharedQueueRegistry;

/**
 * The shared-queue hostcalls. Registering makes the calling VM's root context the queue's owner,
 * which gets {@code proxy_on_queue_ready} on its own loop after every enqueue.
 */
final class SharedQueueFunctions extends AbiFunctions {

  private static final System.Logger LOG = System.getLogger("wasm");

  SharedQueueFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_register_shared_queue", a -> register(a[0], a[1], a[2]));
    r.env("proxy_resolve_shared_queue", a -> resolve(a[0], a[1], a[2], a[3], a[4]));
    r.env("proxy_enqueue_shared_queue", a -> enqueue(a[0], a[1], a[2]));
    r.env("proxy_dequeue_shared_queue", a -> dequeue(a[0], a[1], a[2]));
  }

  private SharedQueueRegistry queues() {
    return instance.plugin().queues();
  }

  private long register(long namePtr, long nameLen, long idPtr) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    String name = string(namePtr, nameLen);
    memory.check(u32(idPtr), 4);
    String vmId = instance.plugin().config().vmId();
    String plugin = root.plugin().config().name();
    // The registering root (of the stream's root when a stream registers) gets proxy_on_queue_ready.
    int id = queues().register(vmId, name, root.queueOwner());
    if (instance.exports().onQueueReady == null && queues().firstTime("no_ready|" + vmId + "|" + name + "|" + plugin)) {
      // Envoy accepts this: the queue works, but nothing tells the owner an item arrived.
      LOG.log(System.Logger.Level.WARNING, "wasm plugin " + plugin
          + " registered shared queue '" + name + "' (vm_id '" + vmId + "') but does not export"
          + " proxy_on_queue_ready: items enqueued there are never announced to it"
          + (instance.exports().onTick != null ? " (it can still dequeue them from proxy_on_tick)" : " and pile up"));
    }
    memory.writeI32(u32(idPtr), id);
    return OK;
  }

  private long resolve(long vmIdPtr, long vmIdLen, long namePtr, long nameLen, long idPtr) {
    String vmId = string(vmIdPtr, vmIdLen);
    if (vmId.isEmpty()) {
      vmId = instance.plugin().config().vmId();
    }
    String name = string(namePtr, nameLen);
    int id = queues().resolve(vmId, name);
    if (id < 0) {
      return code(WasmResult.NOT_FOUND);
    }
    memory.writeI32(u32(idPtr), id);
    return OK;
  }

  private long enqueue(long id, long valPtr, long valLen) {
    return code(queues().enqueue((int) id, bytes(valPtr, valLen)));
  }

  private long dequeue(long id, long ptrPtr, long lenPtr) {
    memory.check(u32(ptrPtr), 4);
    memory.check(u32(lenPtr), 4);
    WasmResult[] status = new WasmResult[1];
    byte[] item = queues().dequeue((int) id, status);
    if (item == null) {
      return code(status[0]);
    }
    memory.copyOut(item, u32(ptrPtr), u32(lenPtr));
    return OK;
  }
}
