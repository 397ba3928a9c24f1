package dev.xdsdp.dataplane.listener;

import static dev.xdsdp.dataplane.stats.ListenerStatName.*;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.stats.ListenerStatName;
import dev.xdsdp.dataplane.stats.StatSet;

/** A listener's stats under {@code listener.<address or stat_prefix>.}, Envoy's names. */
final class ListenerStats {

  final Counter downstreamCxTotal;
  final Gauge downstreamCxActive;
  final Counter downstreamCxDestroy;
  final Counter noFilterChainMatch;

  ListenerStats(StatsScope root, String statPrefix) {
    StatSet<ListenerStatName> s = StatSet.create(root.scope("listener").scope(statPrefix), ListenerStatName.class);
    downstreamCxTotal = s.counter(DOWNSTREAM_CX_TOTAL);
    downstreamCxActive = s.gauge(DOWNSTREAM_CX_ACTIVE);
    downstreamCxDestroy = s.counter(DOWNSTREAM_CX_DESTROY);
    noFilterChainMatch = s.counter(NO_FILTER_CHAIN_MATCH);
  }
}
