package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;

/**
 * One stat a component declares, as a line of Envoy's {@code ALL_X_STATS} macros. The per-component
 * enums implement this; {@link StatSet} instantiates a whole enum in a scope at once.
 */
public interface StatDescriptor {

  /** Envoy's name of the stat, relative to the component's scope, e.g. {@code upstream_rq_total}. */
  String statName();

  StatType type();

  /** The histogram unit; {@link Histogram.Unit#UNSPECIFIED} for counters and gauges. */
  Histogram.Unit unit();
}
