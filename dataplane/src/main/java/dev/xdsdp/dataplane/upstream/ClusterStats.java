package dev.xdsdp.dataplane.upstream;

import static dev.xdsdp.dataplane.stats.ClusterStatName.*;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.stats.CircuitBreakerStatName;
import dev.xdsdp.dataplane.stats.ClusterStatName;
import dev.xdsdp.dataplane.stats.ResponseCodeStats;
import dev.xdsdp.dataplane.stats.StatSet;

/**
 * A cluster's stats under {@code cluster.<name>.}: Envoy's whole set (made when the cluster is, as
 * Envoy does), with fields for the ones the proxy updates on the request path.
 */
public final class ClusterStats {

  public final Counter upstreamRqTotal;
  public final Gauge upstreamRqActive;
  public final Counter upstreamRqPendingTotal;
  public final Gauge upstreamRqPendingActive;
  public final Counter upstreamRqPendingOverflow;
  public final Counter upstreamRqPendingFailureEject;
  public final Counter upstreamRqTimeout;
  public final Counter upstreamRqPerTryTimeout;
  public final Counter upstreamRqRetry;
  public final Counter upstreamRqRetrySuccess;
  public final Counter upstreamRqRetryOverflow;
  public final Counter upstreamRqRetryLimitExceeded;
  public final Counter upstreamRqCancelled;
  public final Counter upstreamRqRxReset;
  public final Counter upstreamRqTxReset;
  public final Counter upstreamCxTotal;
  public final Gauge upstreamCxActive;
  public final Counter upstreamCxHttp1Total;
  public final Counter upstreamCxHttp2Total;
  public final Counter upstreamCxConnectFail;
  public final Counter upstreamCxConnectTimeout;
  public final Counter upstreamCxDestroy;
  public final Counter upstreamCxNoneHealthy;
  public final Counter upstreamCxRxBytesTotal;
  public final Counter upstreamCxTxBytesTotal;
  public final Counter upstreamCxOverflow;
  public final Counter upstreamCxConnectAttemptsExceeded;
  public final Gauge membershipHealthy;
  public final Gauge membershipDegraded;
  public final Gauge membershipTotal;
  public final Counter membershipChange;
  public final Counter lbHealthyPanic;
  public final Counter updateAttempt;
  public final Counter updateSuccess;
  public final Counter updateFailure;
  public final Counter updateEmpty;
  public final Gauge maxHostWeight;
  public final Gauge cbCxOpen;
  public final Gauge cbRqPendingOpen;
  public final Gauge cbRqOpen;
  public final Gauge cbRqRetryOpen;
  private final ResponseCodeStats codes;

  public ClusterStats(StatsScope root, String statName) {
    StatsScope scope = root.scope("cluster").scope(statName);
    StatSet<ClusterStatName> s = StatSet.create(scope, ClusterStatName.class);
    StatSet<CircuitBreakerStatName> cb =
        StatSet.create(scope.scope("circuit_breakers").scope("default"), CircuitBreakerStatName.class);
    codes = new ResponseCodeStats(scope);
    upstreamRqTotal = s.counter(UPSTREAM_RQ_TOTAL);
    upstreamRqActive = s.gauge(UPSTREAM_RQ_ACTIVE);
    upstreamRqPendingTotal = s.counter(UPSTREAM_RQ_PENDING_TOTAL);
    upstreamRqPendingActive = s.gauge(UPSTREAM_RQ_PENDING_ACTIVE);
    upstreamRqPendingOverflow = s.counter(UPSTREAM_RQ_PENDING_OVERFLOW);
    upstreamRqPendingFailureEject = s.counter(UPSTREAM_RQ_PENDING_FAILURE_EJECT);
    upstreamRqTimeout = s.counter(UPSTREAM_RQ_TIMEOUT);
    upstreamRqPerTryTimeout = s.counter(UPSTREAM_RQ_PER_TRY_TIMEOUT);
    upstreamRqRetry = s.counter(UPSTREAM_RQ_RETRY);
    upstreamRqRetrySuccess = s.counter(UPSTREAM_RQ_RETRY_SUCCESS);
    upstreamRqRetryOverflow = s.counter(UPSTREAM_RQ_RETRY_OVERFLOW);
    upstreamRqRetryLimitExceeded = s.counter(UPSTREAM_RQ_RETRY_LIMIT_EXCEEDED);
    upstreamRqCancelled = s.counter(UPSTREAM_RQ_CANCELLED);
    upstreamRqRxReset = s.counter(UPSTREAM_RQ_RX_RESET);
    upstreamRqTxReset = s.counter(UPSTREAM_RQ_TX_RESET);
    upstreamCxTotal = s.counter(UPSTREAM_CX_TOTAL);
    upstreamCxActive = s.gauge(UPSTREAM_CX_ACTIVE);
    upstreamCxHttp1Total = s.counter(UPSTREAM_CX_HTTP1_TOTAL);
    upstreamCxHttp2Total = s.counter(UPSTREAM_CX_HTTP2_TOTAL);
    upstreamCxConnectFail = s.counter(UPSTREAM_CX_CONNECT_FAIL);
    upstreamCxConnectTimeout = s.counter(UPSTREAM_CX_CONNECT_TIMEOUT);
    upstreamCxDestroy = s.counter(UPSTREAM_CX_DESTROY);
    upstreamCxNoneHealthy = s.counter(UPSTREAM_CX_NONE_HEALTHY);
    upstreamCxRxBytesTotal = s.counter(UPSTREAM_CX_RX_BYTES_TOTAL);
    upstreamCxTxBytesTotal = s.counter(UPSTREAM_CX_TX_BYTES_TOTAL);
    upstreamCxOverflow = s.counter(UPSTREAM_CX_OVERFLOW);
    upstreamCxConnectAttemptsExceeded = s.counter(UPSTREAM_CX_CONNECT_ATTEMPTS_EXCEEDED);
    membershipHealthy = s.gauge(MEMBERSHIP_HEALTHY);
    membershipDegraded = s.gauge(MEMBERSHIP_DEGRADED);
    membershipTotal = s.gauge(MEMBERSHIP_TOTAL);
    membershipChange = s.counter(MEMBERSHIP_CHANGE);
    lbHealthyPanic = s.counter(LB_HEALTHY_PANIC);
    updateAttempt = s.counter(UPDATE_ATTEMPT);
    updateSuccess = s.counter(UPDATE_SUCCESS);
    updateFailure = s.counter(UPDATE_FAILURE);
    updateEmpty = s.counter(UPDATE_EMPTY);
    maxHostWeight = s.gauge(MAX_HOST_WEIGHT);
    cbCxOpen = cb.gauge(CircuitBreakerStatName.CX_OPEN);
    cbRqPendingOpen = cb.gauge(CircuitBreakerStatName.RQ_PENDING_OPEN);
    cbRqOpen = cb.gauge(CircuitBreakerStatName.RQ_OPEN);
    cbRqRetryOpen = cb.gauge(CircuitBreakerStatName.RQ_RETRY_OPEN);
  }

  /**
   * Counts an upstream response: {@code upstream_rq_completed}, {@code upstream_rq_2xx},
   * {@code upstream_rq_200} and their {@code internal.}/{@code external.} copies, as Envoy.
   */
  public void onResponseCode(int code, boolean internalRequest) {
    codes.chargeResponseStat(code, internalRequest, false);
  }

  /** Records {@code upstream_rq_time} (and its internal/external copy). */
  public void onResponseTime(long millis, boolean internalRequest) {
    codes.chargeResponseTiming(millis, internalRequest, false);
  }
}
