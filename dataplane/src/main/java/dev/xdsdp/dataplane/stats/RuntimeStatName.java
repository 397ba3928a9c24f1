package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Runtime stats, under {@code runtime.}: Envoy's {@code ALL_RUNTIME_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum RuntimeStatName implements StatDescriptor {
  DEPRECATED_FEATURE_USE(StatType.COUNTER),
  LOAD_ERROR(StatType.COUNTER),
  LOAD_SUCCESS(StatType.COUNTER),
  OVERRIDE_DIR_EXISTS(StatType.COUNTER),
  OVERRIDE_DIR_NOT_EXISTS(StatType.COUNTER),
  ADMIN_OVERRIDES_ACTIVE(StatType.GAUGE),
  DEPRECATED_FEATURE_SEEN_SINCE_PROCESS_START(StatType.GAUGE),
  NUM_KEYS(StatType.GAUGE),
  NUM_LAYERS(StatType.GAUGE);

  private final StatType type;
  private final Histogram.Unit unit;

  RuntimeStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  RuntimeStatName(StatType type, Histogram.Unit unit) {
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
