package dev.xdsdp.dataplane.router;

import static dev.xdsdp.dataplane.stats.RouterStatName.*;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.stats.RouterStatName;
import dev.xdsdp.dataplane.stats.StatSet;

/** The router's stats in its connection manager's scope ({@code http.<stat_prefix>.}), Envoy's names. */
final class RouterStats {

  final Counter noRoute;
  final Counter noCluster;
  final Counter rqRedirect;
  final Counter rqDirectResponse;
  final Counter rqTotal;
  final Counter rqResetAfterDownstreamResponseStarted;

  RouterStats(StatsScope scope) {
    StatSet<RouterStatName> s = StatSet.create(scope, RouterStatName.class);
    noRoute = s.counter(NO_ROUTE);
    noCluster = s.counter(NO_CLUSTER);
    rqRedirect = s.counter(RQ_REDIRECT);
    rqDirectResponse = s.counter(RQ_DIRECT_RESPONSE);
    rqTotal = s.counter(RQ_TOTAL);
    rqResetAfterDownstreamResponseStarted = s.counter(RQ_RESET_AFTER_DOWNSTREAM_RESPONSE_STARTED);
  }
}
