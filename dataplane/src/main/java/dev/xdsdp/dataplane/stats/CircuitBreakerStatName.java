package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Circuit breaker gauges, under {@code cluster.<name>.circuit_breakers.default.} (or {@code .high.}):
 * Envoy's {@code ALL_CLUSTER_CIRCUIT_BREAKERS_STATS}. The {@code remaining_*} gauges exist only when
 * the thresholds set {@code track_remaining}; create those individually.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum CircuitBreakerStatName implements StatDescriptor {
  CX_OPEN(StatType.GAUGE),
  CX_POOL_OPEN(StatType.GAUGE),
  RQ_OPEN(StatType.GAUGE),
  RQ_PENDING_OPEN(StatType.GAUGE),
  RQ_RETRY_OPEN(StatType.GAUGE),
  REMAINING_CX(StatType.GAUGE),
  REMAINING_CX_POOLS(StatType.GAUGE),
  REMAINING_PENDING(StatType.GAUGE),
  REMAINING_RETRIES(StatType.GAUGE),
  REMAINING_RQ(StatType.GAUGE);

  private final StatType type;
  private final Histogram.Unit unit;

  CircuitBreakerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  CircuitBreakerStatName(StatType type, Histogram.Unit unit) {
    this.type = type;
    this.unit = unit;
  }

  @Override
  public String statName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public StatType type() {
    return type;
  }

  @Override
  public Histogram.Unit unit() {
    return unit;
  }
}
