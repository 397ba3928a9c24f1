package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Per-subscription xDS stats: Envoy's {@code ALL_SUBSCRIPTION_STATS}, under {@code listener_manager.lds.},
 * {@code cluster_manager.cds.}, {@code cluster.<name>.} (EDS) and {@code http.<stat_prefix>.rds.<route_config>.}.
 * {@code version} is the first 64 bits of the SHA-1 of the accepted version; the {@code version_text}
 * text readout is not modelled.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum SubscriptionStatName implements StatDescriptor {
  INIT_FETCH_TIMEOUT(StatType.COUNTER),
  UPDATE_ATTEMPT(StatType.COUNTER),
  UPDATE_FAILURE(StatType.COUNTER),
  UPDATE_REJECTED(StatType.COUNTER),
  UPDATE_SUCCESS(StatType.COUNTER),
  UPDATE_TIME(StatType.GAUGE),
  VERSION(StatType.GAUGE),
  UPDATE_DURATION(StatType.HISTOGRAM, Histogram.Unit.MILLISECONDS);

  private final StatType type;
  private final Histogram.Unit unit;

  SubscriptionStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  SubscriptionStatName(StatType type, Histogram.Unit unit) {
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
