package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Request/response size histograms, under {@code cluster.<name>.}, created only when the cluster sets
 * {@code track_cluster_stats.request_response_sizes}: Envoy's {@code ALL_CLUSTER_REQUEST_RESPONSE_SIZE_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ClusterRequestResponseSizeStatName implements StatDescriptor {
  UPSTREAM_RQ_HEADERS_SIZE(StatType.HISTOGRAM, Histogram.Unit.BYTES),
  UPSTREAM_RQ_BODY_SIZE(StatType.HISTOGRAM, Histogram.Unit.BYTES),
  UPSTREAM_RS_HEADERS_SIZE(StatType.HISTOGRAM, Histogram.Unit.BYTES),
  UPSTREAM_RS_BODY_SIZE(StatType.HISTOGRAM, Histogram.Unit.BYTES);

  private final StatType type;
  private final Histogram.Unit unit;

  ClusterRequestResponseSizeStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ClusterRequestResponseSizeStatName(StatType type, Histogram.Unit unit) {
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
