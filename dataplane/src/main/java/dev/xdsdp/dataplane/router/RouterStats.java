package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.StatsScope;

/** The router's stats in its connection manager's scope ({@code http.<stat_prefix>.}), Envoy's names. */
final class RouterStats {

  final Counter noRoute;
  final Counter noCluster;
  final Counter rqRedirect;
  final Counter rqDirectResponse;
  final Counter rqTotal;
  final Counter rqResetAfterDownstreamResponseStarted;

  RouterStats(StatsScope scope) {
    noRoute = scope.counter("no_route");
    noCluster = scope.counter("no_cluster");
    rqRedirect = scope.counter("rq_redirect");
    rqDirectResponse = scope.counter("rq_direct_response");
    rqTotal = scope.counter("rq_total");
    rqResetAfterDownstreamResponseStarted = scope.counter("rq_reset_after_downstream_response_started");
  }
}
