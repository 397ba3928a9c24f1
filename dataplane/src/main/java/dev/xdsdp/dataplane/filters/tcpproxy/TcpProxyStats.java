package dev.xdsdp.dataplane.filters.tcpproxy;

import static dev.xdsdp.dataplane.stats.TcpProxyStatName.*;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.stats.StatSet;
import dev.xdsdp.dataplane.stats.TcpProxyStatName;

/** A TCP proxy's stats under {@code tcp.<stat_prefix>.}, with Envoy's names, made with its config. */
final class TcpProxyStats {

  final Counter downstreamCxTotal;
  final Counter downstreamCxNoRoute;
  final Counter downstreamCxRxBytesTotal;
  final Counter downstreamCxTxBytesTotal;
  final Counter downstreamFlowControlPausedReadingTotal;
  final Counter downstreamFlowControlResumedReadingTotal;
  final Counter earlyDataReceivedCountTotal;
  final Counter idleTimeout;
  final Counter maxDownstreamConnectionDuration;
  final Counter upstreamFlushTotal;
  final Gauge upstreamFlushActive;

  TcpProxyStats(StatsScope root, String statPrefix) {
    StatSet<TcpProxyStatName> s = StatSet.create(root.scope("tcp").scope(statPrefix), TcpProxyStatName.class);
    downstreamCxTotal = s.counter(DOWNSTREAM_CX_TOTAL);
    downstreamCxNoRoute = s.counter(DOWNSTREAM_CX_NO_ROUTE);
    downstreamCxRxBytesTotal = s.counter(DOWNSTREAM_CX_RX_BYTES_TOTAL);
    downstreamCxTxBytesTotal = s.counter(DOWNSTREAM_CX_TX_BYTES_TOTAL);
    downstreamFlowControlPausedReadingTotal = s.counter(DOWNSTREAM_FLOW_CONTROL_PAUSED_READING_TOTAL);
    downstreamFlowControlResumedReadingTotal = s.counter(DOWNSTREAM_FLOW_CONTROL_RESUMED_READING_TOTAL);
    earlyDataReceivedCountTotal = s.counter(EARLY_DATA_RECEIVED_COUNT_TOTAL);
    idleTimeout = s.counter(IDLE_TIMEOUT);
    maxDownstreamConnectionDuration = s.counter(MAX_DOWNSTREAM_CONNECTION_DURATION);
    upstreamFlushTotal = s.counter(UPSTREAM_FLUSH_TOTAL);
    upstreamFlushActive = s.gauge(UPSTREAM_FLUSH_ACTIVE);
  }
}
