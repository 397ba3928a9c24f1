package dev.xdsdp.wasm.metrics;

/**
 * The names of the runtime's stats, declared once. Envoy's names where Envoy has the stat
 * ({@code source/extensions/common/wasm/stats_handler.h}); the rest are this host's additions.
 */
public final class WasmStatNames {

  private WasmStatNames() {}

  /** Scope of a runtime: {@code wasm.<runtime>.}, e.g. {@code wasm.envoy.wasm.runtime.v8.}. */
  public static final String RUNTIME_SCOPE = "wasm";

  /** Counter: VM instances created (Envoy). */
  public static final String CREATED = "created";
  /** Gauge: VM instances alive (Envoy). */
  public static final String ACTIVE = "active";

  /** Gauge under {@code wasm.graalwasm.}: 1 when GraalWasm runs without its JIT (ours). */
  public static final String INTERPRETER_ONLY = "interpreter_only";

  // Per plugin, under wasm.<plugin name>.

  /** Counter: replica rebuilds that succeeded (Envoy). */
  public static final String VM_RELOAD_SUCCESS = "vm_reload_success";
  /** Counter: replica rebuilds that failed (Envoy). */
  public static final String VM_RELOAD_FAILURE = "vm_reload_failure";
  /** Counter: streams that found the replica failed and waiting for its backoff (Envoy). */
  public static final String VM_RELOAD_BACKOFF = "vm_reload_backoff";
  /** Counter: VM instances that failed (trap, interrupt, exit) (ours). */
  public static final String VM_FAILED = "vm_failed";
  /** Counter: calls interrupted for exceeding the CPU budget (ours). */
  public static final String CPU_LIMIT_EXCEEDED = "vm_cpu_limit_exceeded";
  /** Counter: streams answered with the fail-closed reply (ours). */
  public static final String FAIL_CLOSED = "vm_fail_closed";
  /** Counter: streams let through by the fail-open policy (ours). */
  public static final String FAIL_OPEN = "vm_fail_open";
  /** Counter: outermost calls into the module (ours). */
  public static final String VM_CALLS = "vm_calls";
  /** Counter: microseconds spent in module calls, host calls included (ours). */
  public static final String VM_TIME_US = "vm_cpu_time_us";
  /** Gauge: the largest linear memory any replica of the plugin reached, in bytes (ours). */
  public static final String MEMORY_HIGH_WATER = "vm_memory_high_water_bytes";
  /** Scope of per-hostcall stats: {@code hostcall.<function>.calls} and {@code .time_ns} (ours). */
  public static final String HOSTCALL_SCOPE = "hostcall";
  public static final String HOSTCALL_CALLS = "calls";
  public static final String HOSTCALL_TIME_NS = "time_ns";
}
