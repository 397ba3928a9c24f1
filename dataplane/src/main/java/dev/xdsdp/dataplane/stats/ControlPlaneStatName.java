package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * xDS control plane connection stats, under {@code control_plane.}: Envoy's {@code ALL_CONTROL_PLANE_STATS}
 * ({@code connected_state} is 1 while the ADS stream is up). The {@code identifier} text readout is not
 * modelled.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ControlPlaneStatName implements StatDescriptor {
  RATE_LIMIT_ENFORCED(StatType.COUNTER),
  CONNECTED_STATE(StatType.GAUGE),
  PENDING_REQUESTS(StatType.GAUGE);

  private final StatType type;
  private final Histogram.Unit unit;

  ControlPlaneStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ControlPlaneStatName(StatType type, Histogram.Unit unit) {
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
