package dev.xdsdp.wasm.metrics;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;

/** Envoy's per-runtime VM counts: {@code wasm.<runtime>.created} and {@code .active}. */
public final class RuntimeStats {

  public final Counter created;
  public final Gauge active;

  public RuntimeStats(StatsScope root, String runtime) {
    StatsScope s = root.scope(WasmStatNames.RUNTIME_SCOPE).scope(runtime);
    this.created = s.counter(WasmStatNames.CREATED);
    this.active = s.gauge(WasmStatNames.ACTIVE);
  }
}
