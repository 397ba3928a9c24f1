package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * HTTP connection manager tracing stats, under {@code http.<stat_prefix>.tracing.}: Envoy's
 * {@code CONN_MAN_TRACING_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ConnManagerTracingStatName implements StatDescriptor {
  RANDOM_SAMPLING(StatType.COUNTER),
  SERVICE_FORCED(StatType.COUNTER),
  CLIENT_ENABLED(StatType.COUNTER),
  NOT_TRACEABLE(StatType.COUNTER),
  HEALTH_CHECK(StatType.COUNTER);

  private final StatType type;
  private final Histogram.Unit unit;

  ConnManagerTracingStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ConnManagerTracingStatName(StatType type, Histogram.Unit unit) {
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
