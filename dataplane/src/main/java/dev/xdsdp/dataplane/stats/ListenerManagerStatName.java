package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Listener manager stats, under {@code listener_manager.}: Envoy's {@code ALL_LISTENER_MANAGER_STATS}.
 * LDS subscription stats live under {@code listener_manager.lds.} ({@link SubscriptionStatName}).
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ListenerManagerStatName implements StatDescriptor {
  LISTENER_ADDED(StatType.COUNTER),
  LISTENER_CREATE_FAILURE(StatType.COUNTER),
  LISTENER_CREATE_SUCCESS(StatType.COUNTER),
  LISTENER_IN_PLACE_UPDATED(StatType.COUNTER),
  LISTENER_MODIFIED(StatType.COUNTER),
  LISTENER_REMOVED(StatType.COUNTER),
  LISTENER_STOPPED(StatType.COUNTER),
  TOTAL_FILTER_CHAINS_DRAINING(StatType.GAUGE),
  TOTAL_LISTENERS_ACTIVE(StatType.GAUGE),
  TOTAL_LISTENERS_DRAINING(StatType.GAUGE),
  TOTAL_LISTENERS_WARMING(StatType.GAUGE),
  WORKERS_STARTED(StatType.GAUGE);

  private final StatType type;
  private final Histogram.Unit unit;

  ListenerManagerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ListenerManagerStatName(StatType type, Histogram.Unit unit) {
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
