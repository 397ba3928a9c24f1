package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Cluster manager stats, under {@code cluster_manager.}: Envoy's {@code ALL_CLUSTER_MANAGER_STATS}.
 * CDS subscription stats live under {@code cluster_manager.cds.} ({@link SubscriptionStatName}).
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ClusterManagerStatName implements StatDescriptor {
  CLUSTER_ADDED(StatType.COUNTER),
  CLUSTER_MODIFIED(StatType.COUNTER),
  CLUSTER_REMOVED(StatType.COUNTER),
  CLUSTER_UPDATED(StatType.COUNTER),
  CLUSTER_UPDATED_VIA_MERGE(StatType.COUNTER),
  UPDATE_MERGE_CANCELLED(StatType.COUNTER),
  UPDATE_OUT_OF_MERGE_WINDOW(StatType.COUNTER),
  ACTIVE_CLUSTERS(StatType.GAUGE),
  WARMING_CLUSTERS(StatType.GAUGE);

  private final StatType type;
  private final Histogram.Unit unit;

  ClusterManagerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ClusterManagerStatName(StatType type, Histogram.Unit unit) {
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
