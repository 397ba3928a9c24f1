package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Per-listener HTTP stats, under {@code listener.<address>.http.<stat_prefix>.}: Envoy's
 * {@code CONN_MAN_LISTENER_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum HttpConnManagerListenerStatName implements StatDescriptor {
  DOWNSTREAM_RQ_1XX(StatType.COUNTER),
  DOWNSTREAM_RQ_2XX(StatType.COUNTER),
  DOWNSTREAM_RQ_3XX(StatType.COUNTER),
  DOWNSTREAM_RQ_4XX(StatType.COUNTER),
  DOWNSTREAM_RQ_5XX(StatType.COUNTER),
  DOWNSTREAM_RQ_COMPLETED(StatType.COUNTER);

  private final StatType type;
  private final Histogram.Unit unit;

  HttpConnManagerListenerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  HttpConnManagerListenerStatName(StatType type, Histogram.Unit unit) {
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
