package dev.xdsdp.dataplane.listener;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;

/** A listener's stats under {@code listener.<address or stat_prefix>.}, Envoy's names. */
final class ListenerStats {

  final Counter downstreamCxTotal;
  final Gauge downstreamCxActive;
  final Counter downstreamCxDestroy;
  final Counter noFilterChainMatch;

  ListenerStats(StatsScope root, String statPrefix) {
    StatsScope s = root.scope("listener").scope(statPrefix);
    downstreamCxTotal = s.counter("downstream_cx_total");
    downstreamCxActive = s.gauge("downstream_cx_active");
    downstreamCxDestroy = s.counter("downstream_cx_destroy");
    noFilterChainMatch = s.counter("no_filter_chain_match");
  }
}
