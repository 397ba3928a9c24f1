package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Listener stats, under {@code listener.<address>.} (the address as {@code 0.0.0.0_8080}, or the
 * listener's {@code stat_prefix}): Envoy's {@code ALL_LISTENER_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum ListenerStatName implements StatDescriptor {
  DOWNSTREAM_CX_DESTROY(StatType.COUNTER),
  DOWNSTREAM_CX_OVERFLOW(StatType.COUNTER),
  DOWNSTREAM_CX_TOTAL(StatType.COUNTER),
  DOWNSTREAM_CX_TRANSPORT_SOCKET_CONNECT_TIMEOUT(StatType.COUNTER),
  DOWNSTREAM_CX_OVERLOAD_REJECT(StatType.COUNTER),
  DOWNSTREAM_GLOBAL_CX_OVERFLOW(StatType.COUNTER),
  DOWNSTREAM_PRE_CX_TIMEOUT(StatType.COUNTER),
  DOWNSTREAM_LISTENER_FILTER_REMOTE_CLOSE(StatType.COUNTER),
  DOWNSTREAM_LISTENER_FILTER_ERROR(StatType.COUNTER),
  NO_FILTER_CHAIN_MATCH(StatType.COUNTER),
  EXTENSION_CONFIG_MISSING(StatType.COUNTER),
  NETWORK_EXTENSION_CONFIG_MISSING(StatType.COUNTER),
  DOWNSTREAM_CX_ACTIVE(StatType.GAUGE),
  DOWNSTREAM_PRE_CX_ACTIVE(StatType.GAUGE),
  DOWNSTREAM_CX_LENGTH_MS(StatType.HISTOGRAM, Histogram.Unit.MILLISECONDS),
  CONNECTIONS_ACCEPTED_PER_SOCKET_EVENT(StatType.HISTOGRAM, Histogram.Unit.UNSPECIFIED);

  private final StatType type;
  private final Histogram.Unit unit;

  ListenerStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  ListenerStatName(StatType type, Histogram.Unit unit) {
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
