package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Timeout budget histograms, under {@code cluster.<name>.}, created only when the cluster sets
 * {@code track_cluster_stats.timeout_budgets}: Envoy's {@code ALL_CLUSTER_TIMEOUT_BUDGET_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ClusterTimeoutBudgetStatName implements StatDescriptor {
  UPSTREAM_RQ_TIMEOUT_BUDGET_PERCENT_USED(StatType.HISTOGRAM, Histogram.Unit.UNSPECIFIED),
  UPSTREAM_RQ_TIMEOUT_BUDGET_PER_TRY_PERCENT_USED(StatType.HISTOGRAM, Histogram.Unit.UNSPECIFIED);

  private final StatType type;
  private final Histogram.Unit unit;

  ClusterTimeoutBudgetStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ClusterTimeoutBudgetStatName(StatType type, Histogram.Unit unit) {
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
