package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Server-wide stats, under {@code server.}: Envoy's {@code ALL_SERVER_STATS} ({@code source/server/server.h}).
 * {@code server.state} is 0 live, 1 draining, 2 pre-initializing, 3 initializing.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ServerStatName implements StatDescriptor {
  DEBUG_ASSERTION_FAILURES(StatType.COUNTER),
  ENVOY_BUG_FAILURES(StatType.COUNTER),
  DYNAMIC_UNKNOWN_FIELDS(StatType.COUNTER),
  STATIC_UNKNOWN_FIELDS(StatType.COUNTER),
  WIP_PROTOS(StatType.COUNTER),
  DROPPED_STAT_FLUSHES(StatType.COUNTER),
  CONCURRENCY(StatType.GAUGE),
  DAYS_UNTIL_FIRST_CERT_EXPIRING(StatType.GAUGE),
  SECONDS_UNTIL_FIRST_OCSP_RESPONSE_EXPIRING(StatType.GAUGE),
  HOT_RESTART_EPOCH(StatType.GAUGE),
  HOT_RESTART_GENERATION(StatType.GAUGE),
  LIVE(StatType.GAUGE),
  MEMORY_ALLOCATED(StatType.GAUGE),
  MEMORY_HEAP_SIZE(StatType.GAUGE),
  MEMORY_PHYSICAL_SIZE(StatType.GAUGE),
  PARENT_CONNECTIONS(StatType.GAUGE),
  STATE(StatType.GAUGE),
  STATS_RECENT_LOOKUPS(StatType.GAUGE),
  TOTAL_CONNECTIONS(StatType.GAUGE),
  UPTIME(StatType.GAUGE),
  VERSION(StatType.GAUGE),
  INITIALIZATION_TIME_MS(StatType.HISTOGRAM, Histogram.Unit.MILLISECONDS);

  private final StatType type;
  private final Histogram.Unit unit;

  ServerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ServerStatName(StatType type, Histogram.Unit unit) {
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
