package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Virtual cluster stats, under {@code vhost.<virtual_host>.vcluster.<virtual_cluster>.}: Envoy's
 * {@code ALL_VIRTUAL_CLUSTER_STATS}. The per-code stats there come from {@link ResponseCodeStats}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum VirtualClusterStatName implements StatDescriptor {
  UPSTREAM_RQ_RETRY(StatType.COUNTER),
  UPSTREAM_RQ_RETRY_LIMIT_EXCEEDED(StatType.COUNTER),
  UPSTREAM_RQ_RETRY_OVERFLOW(StatType.COUNTER),
  UPSTREAM_RQ_RETRY_SUCCESS(StatType.COUNTER),
  UPSTREAM_RQ_TIMEOUT(StatType.COUNTER),
  UPSTREAM_RQ_TOTAL(StatType.COUNTER);

  private final StatType type;
  private final Histogram.Unit unit;

  VirtualClusterStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  VirtualClusterStatName(StatType type, Histogram.Unit unit) {
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
