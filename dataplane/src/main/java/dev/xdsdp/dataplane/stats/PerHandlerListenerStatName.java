package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Per-worker listener stats, under {@code listener.<address>.worker_<n>.}: Envoy's
 * {@code ALL_PER_HANDLER_LISTENER_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum PerHandlerListenerStatName implements StatDescriptor {
  DOWNSTREAM_CX_TOTAL(StatType.COUNTER),
  DOWNSTREAM_CX_ACTIVE(StatType.GAUGE);

  private final StatType type;
  private final Histogram.Unit unit;

  PerHandlerListenerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  PerHandlerListenerStatName(StatType type, Histogram.Unit unit) {
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
