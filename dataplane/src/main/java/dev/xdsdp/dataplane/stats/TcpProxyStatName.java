package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * TCP proxy stats, under {@code tcp.<stat_prefix>.}: Envoy's {@code ALL_TCP_PROXY_STATS}.
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum TcpProxyStatName implements StatDescriptor {
  DOWNSTREAM_CX_TOTAL(StatType.COUNTER),
  DOWNSTREAM_CX_NO_ROUTE(StatType.COUNTER),
  DOWNSTREAM_CX_TX_BYTES_TOTAL(StatType.COUNTER),
  DOWNSTREAM_CX_RX_BYTES_TOTAL(StatType.COUNTER),
  DOWNSTREAM_FLOW_CONTROL_PAUSED_READING_TOTAL(StatType.COUNTER),
  DOWNSTREAM_FLOW_CONTROL_RESUMED_READING_TOTAL(StatType.COUNTER),
  EARLY_DATA_RECEIVED_COUNT_TOTAL(StatType.COUNTER),
  IDLE_TIMEOUT(StatType.COUNTER),
  MAX_DOWNSTREAM_CONNECTION_DURATION(StatType.COUNTER),
  ON_DEMAND_CLUSTER_ATTEMPT(StatType.COUNTER),
  ON_DEMAND_CLUSTER_MISSING(StatType.COUNTER),
  ON_DEMAND_CLUSTER_SUCCESS(StatType.COUNTER),
  ON_DEMAND_CLUSTER_TIMEOUT(StatType.COUNTER),
  UPSTREAM_FLUSH_TOTAL(StatType.COUNTER),
  DOWNSTREAM_CX_TX_BYTES_BUFFERED(StatType.GAUGE),
  DOWNSTREAM_CX_RX_BYTES_BUFFERED(StatType.GAUGE),
  UPSTREAM_FLUSH_ACTIVE(StatType.GAUGE);

  private final StatType type;

  TcpProxyStatName(StatType type) {
    this.type = type;
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
    return Histogram.Unit.UNSPECIFIED;
  }
}
