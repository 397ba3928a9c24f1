package dev.xdsdp.wasm.metrics;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The stats of one plugin, made when the plugin is created (never per request), under
 * {@code wasm.<plugin name>.}: Envoy's reload counters plus this host's CPU time, call counts,
 * per-hostcall counts and time, and memory high-water mark.
 */
public final class PluginStats {

  /** The count and time of one hostcall. */
  public record HostCall(Counter calls, Counter timeNs) {}

  private final StatsScope scope;
  private final StatsScope hostcalls;
  public final Counter reloadSuccess;
  public final Counter reloadFailure;
  public final Counter reloadBackoff;
  public final Counter vmFailed;
  public final Counter cpuLimitExceeded;
  public final Counter failClosed;
  public final Counter failOpen;
  public final Counter vmCalls;
  public final Counter vmTimeUs;
  public final Gauge memoryHighWater;
  private final ConcurrentMap<String, HostCall> byFunction = new ConcurrentHashMap<>();

  public PluginStats(StatsScope root, String pluginName) {
    this.scope = root.scope(WasmStatNames.RUNTIME_SCOPE).scope(pluginName.isEmpty() ? "_" : pluginName);
    this.hostcalls = scope.scope(WasmStatNames.HOSTCALL_SCOPE);
    this.reloadSuccess = scope.counter(WasmStatNames.VM_RELOAD_SUCCESS);
    this.reloadFailure = scope.counter(WasmStatNames.VM_RELOAD_FAILURE);
    this.reloadBackoff = scope.counter(WasmStatNames.VM_RELOAD_BACKOFF);
    this.vmFailed = scope.counter(WasmStatNames.VM_FAILED);
    this.cpuLimitExceeded = scope.counter(WasmStatNames.CPU_LIMIT_EXCEEDED);
    this.failClosed = scope.counter(WasmStatNames.FAIL_CLOSED);
    this.failOpen = scope.counter(WasmStatNames.FAIL_OPEN);
    this.vmCalls = scope.counter(WasmStatNames.VM_CALLS);
    this.vmTimeUs = scope.counter(WasmStatNames.VM_TIME_US);
    this.memoryHighWater = scope.gauge(WasmStatNames.MEMORY_HIGH_WATER);
  }

  public StatsScope scope() {
    return scope;
  }

  /** The stats of hostcall {@code name} (e.g. {@code proxy_log}, {@code fd_write}). */
  public HostCall hostCall(String name) {
    return byFunction.computeIfAbsent(
        name,
        n -> {
          StatsScope s = hostcalls.scope(n);
          return new HostCall(s.counter(WasmStatNames.HOSTCALL_CALLS), s.counter(WasmStatNames.HOSTCALL_TIME_NS));
        });
  }

  /** Raises the high-water mark to {@code bytes} if that is higher. */
  public void observeMemory(long bytes) {
    // Replicas run on different loops; a lost race only delays the mark to the next call.
    if (bytes > memoryHighWater.value()) {
      synchronized (this) {
        if (bytes > memoryHighWater.value()) {
          memoryHighWater.set(bytes);
        }
      }
    }
  }
}
