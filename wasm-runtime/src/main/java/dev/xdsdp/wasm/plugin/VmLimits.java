package dev.xdsdp.wasm.plugin;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-VM limits. GraalWasm has no instruction budget, so CPU is bounded by the runtime's watchdog,
 * which interrupts a call that uses more than its budget of CPU time.
 *
 * @param maxMemoryPages the most 64 KiB pages a VM may have; written into the module as the
 *     memory's maximum, so {@code memory.grow} fails past it (cpp-host caps at 1 GiB = 16384)
 * @param callBudget the longest one callback may run ({@code on_request_headers}, {@code on_tick}, ...)
 * @param startBudget the longest VM start may run ({@code _initialize}/{@code _start},
 *     {@code on_vm_start}, {@code on_configure}), which runs before the JIT has warmed up
 */
public record VmLimits(long maxMemoryPages, Duration callBudget, Duration startBudget) {

  /**
   * 1 GiB of memory as cpp-host; one second of CPU per callback (generous: the first calls of a
   * large module run before the JIT has compiled it); ten seconds to start.
   */
  public static final VmLimits DEFAULT = new VmLimits(16384, Duration.ofSeconds(1), Duration.ofSeconds(10));

  public VmLimits {
    Objects.requireNonNull(callBudget, "callBudget");
    Objects.requireNonNull(startBudget, "startBudget");
    if (maxMemoryPages < 1 || maxMemoryPages > 65536) {
      throw new IllegalArgumentException("maxMemoryPages must be in [1, 65536]: " + maxMemoryPages);
    }
    if (callBudget.isNegative() || callBudget.isZero() || startBudget.isNegative() || startBudget.isZero()) {
      throw new IllegalArgumentException("budgets must be positive");
    }
  }

  public VmLimits withMaxMemoryPages(long pages) {
    return new VmLimits(pages, callBudget, startBudget);
  }

  public VmLimits withCallBudget(Duration budget) {
    return new VmLimits(maxMemoryPages, budget, startBudget);
  }
}
