package dev.xdsdp.wasm.plugin;

import dev.xdsdp.wasm.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The VMs of one VM key (Envoy's {@code vm_key}: vm_id, code, VM configuration, and here also the
 * environment, limits and capabilities, which a VM cannot change once started): one
 * {@link VmReplica} per event loop, shared by every plugin with that key, each plugin a root
 * context in it. Made and dropped by the runtime as plugins come and go.
 */
public final class VmGroup {

  private final String key;
  private final ConcurrentHashMap<EventLoop, VmReplica> replicas = new ConcurrentHashMap<>();
  /** Plugins using the group, by name and root id; guarded by the runtime's group lock. */
  private final java.util.Map<String, Integer> users = new java.util.HashMap<>();

  /** Made by the runtime when the first plugin of {@code key} is created. */
  public VmGroup(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  /** True when a plugin with this name and root id runs in the group (under the runtime's group lock). */
  public boolean hosts(String pluginIdentity) {
    return users.containsKey(pluginIdentity);
  }

  /** One more plugin uses the group (under the runtime's group lock). */
  public void retain(String pluginIdentity) {
    users.merge(pluginIdentity, 1, Integer::sum);
  }

  /** One plugin less; true when none is left (under the runtime's group lock). */
  public boolean release(String pluginIdentity) {
    users.computeIfPresent(pluginIdentity, (k, n) -> n <= 1 ? null : n - 1);
    return users.isEmpty();
  }

  /** The VM replica of {@code loop}, made on first use. */
  VmReplica replica(EventLoop loop, dev.xdsdp.wasm.WasmRuntime runtime) {
    return replicas.computeIfAbsent(loop, l -> new VmReplica(this, l, runtime));
  }

  /** A replica whose plugins all left forgets itself, so the next plugin gets a new one. */
  void removed(VmReplica r) {
    replicas.remove(r.loop(), r);
  }

  /** VM replicas alive (tests and diagnostics). */
  public int replicaCount() {
    return replicas.size();
  }
}
