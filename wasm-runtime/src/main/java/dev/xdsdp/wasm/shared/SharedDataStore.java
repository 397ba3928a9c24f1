package dev.xdsdp.wasm.shared;

import dev.xdsdp.wasm.abi.WasmResult;
import java.util.HashMap;
import java.util.Map;

/**
 * Process-wide key-value data shared by every VM with the same {@code vm_id}, across event loops
 * and plugins ({@code proxy_get_shared_data}/{@code proxy_set_shared_data}, cpp-host's
 * {@code SharedData}). Every write takes a new process-wide CAS number; a write with a non-zero
 * CAS succeeds only if it matches the key's current one. A vm_id's data is dropped when the last
 * plugin using it goes away.
 *
 * <p>Thread-safe; one lock, because operations are tiny and copy small values.
 */
public final class SharedDataStore {

  /** A value and its CAS number. */
  public record Value(byte[] data, int cas) {}

  private final Map<String, Map<String, Value>> byVmId = new HashMap<>();
  private final Map<String, Integer> users = new HashMap<>();
  private int nextCas = 1;

  /** Registers a user of {@code vmId}; pair with {@link #release}. */
  public synchronized void retain(String vmId) {
    users.merge(vmId, 1, Integer::sum);
  }

  public synchronized void release(String vmId) {
    Integer n = users.get(vmId);
    if (n == null) {
      return;
    }
    if (n <= 1) {
      users.remove(vmId);
      byVmId.remove(vmId);
    } else {
      users.put(vmId, n - 1);
    }
  }

  /** The value of {@code key}, or null when absent. */
  public synchronized Value get(String vmId, String key) {
    Map<String, Value> m = byVmId.get(vmId);
    return m == null ? null : m.get(key);
  }

  /** Sets {@code key}; {@code cas} 0 means unconditionally. */
  public synchronized WasmResult set(String vmId, String key, byte[] data, int cas) {
    Map<String, Value> m = byVmId.computeIfAbsent(vmId, k -> new HashMap<>());
    Value current = m.get(key);
    if (current != null && cas != 0 && cas != current.cas()) {
      return WasmResult.CAS_MISMATCH;
    }
    m.put(key, new Value(data.clone(), takeCas()));
    return WasmResult.OK;
  }

  private int takeCas() {
    int c = nextCas++;
    if (nextCas == 0) {
      nextCas = 1; // 0 means "no CAS" to the guest
    }
    return c;
  }

  /** Number of keys stored for {@code vmId} (tests, admin). */
  public synchronized int size(String vmId) {
    Map<String, Value> m = byVmId.get(vmId);
    return m == null ? 0 : m.size();
  }
}
