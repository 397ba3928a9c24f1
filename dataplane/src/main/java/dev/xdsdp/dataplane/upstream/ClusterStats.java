package dev.xdsdp.dataplane.upstream;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import java.util.concurrent.ConcurrentHashMap;

/** A cluster's stats under {@code cluster.<name>.}, with Envoy's names, made once per cluster. */
public final class ClusterStats {

  private final StatsScope scope;
  public final Counter upstreamRqTotal;
  public final Counter upstreamRqCompleted;
  public final Gauge upstreamRqActive;
  public final Counter upstreamRqPendingTotal;
  public final Gauge upstreamRqPendingActive;
  public final Counter upstreamRqPendingOverflow;
  public final Counter upstreamRqTimeout;
  public final Counter upstreamRqPerTryTimeout;
  public final Counter upstreamRqRetry;
  public final Counter upstreamRqRetrySuccess;
  public final Counter upstreamRqRetryOverflow;
  public final Counter upstreamRqRetryLimitExceeded;
  public final Counter upstreamRqCancelled;
  public final Counter upstreamRqRxReset;
  public final Counter upstreamRqTxReset;
  public final Counter upstreamRqMaintenanceMode;
  public final Histogram upstreamRqTime;
  public final Counter upstreamCxTotal;
  public final Gauge upstreamCxActive;
  public final Counter upstreamCxHttp1Total;
  public final Counter upstreamCxHttp2Total;
  public final Counter upstreamCxConnectFail;
  public final Counter upstreamCxConnectTimeout;
  public final Counter upstreamCxOverflow;
  public final Counter upstreamCxDestroy;
  public final Counter upstreamCxNoneHealthy;
  public final Counter upstreamCxRxBytesTotal;
  public final Counter upstreamCxTxBytesTotal;
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
  private final Counter rq1xx;
  private final Counter rq2xx;
  private final Counter rq3xx;
  private final Counter rq4xx;
  private final Counter rq5xx;
  private final ConcurrentHashMap<Integer, Counter> perCode = new ConcurrentHashMap<>();

  public ClusterStats(StatsScope root, String statName) {
    this.scope = root.scope("cluster").scope(statName);
    upstreamRqTotal = scope.counter("upstream_rq_total");
    upstreamRqCompleted = scope.counter("upstream_rq_completed");
    upstreamRqActive = scope.gauge("upstream_rq_active");
    upstreamRqPendingTotal = scope.counter("upstream_rq_pending_total");
    upstreamRqPendingActive = scope.gauge("upstream_rq_pending_active");
    upstreamRqPendingOverflow = scope.counter("upstream_rq_pending_overflow");
    upstreamRqTimeout = scope.counter("upstream_rq_timeout");
    upstreamRqPerTryTimeout = scope.counter("upstream_rq_per_try_timeout");
    upstreamRqRetry = scope.counter("upstream_rq_retry");
    upstreamRqRetrySuccess = scope.counter("upstream_rq_retry_success");
    upstreamRqRetryOverflow = scope.counter("upstream_rq_retry_overflow");
    upstreamRqRetryLimitExceeded = scope.counter("upstream_rq_retry_limit_exceeded");
    upstreamRqCancelled = scope.counter("upstream_rq_cancelled");
    upstreamRqRxReset = scope.counter("upstream_rq_rx_reset");
    upstreamRqTxReset = scope.counter("upstream_rq_tx_reset");
    upstreamRqMaintenanceMode = scope.counter("upstream_rq_maintenance_mode");
    upstreamRqTime = scope.histogram("upstream_rq_time", Histogram.Unit.MILLISECONDS);
    upstreamCxTotal = scope.counter("upstream_cx_total");
    upstreamCxActive = scope.gauge("upstream_cx_active");
    upstreamCxHttp1Total = scope.counter("upstream_cx_http1_total");
    upstreamCxHttp2Total = scope.counter("upstream_cx_http2_total");
    upstreamCxConnectFail = scope.counter("upstream_cx_connect_fail");
    upstreamCxConnectTimeout = scope.counter("upstream_cx_connect_timeout");
    upstreamCxOverflow = scope.counter("upstream_cx_overflow");
    upstreamCxDestroy = scope.counter("upstream_cx_destroy");
    upstreamCxNoneHealthy = scope.counter("upstream_cx_none_healthy");
    upstreamCxRxBytesTotal = scope.counter("upstream_cx_rx_bytes_total");
    upstreamCxTxBytesTotal = scope.counter("upstream_cx_tx_bytes_total");
    membershipHealthy = scope.gauge("membership_healthy");
    membershipDegraded = scope.gauge("membership_degraded");
    membershipTotal = scope.gauge("membership_total");
    membershipChange = scope.counter("membership_change");
    lbHealthyPanic = scope.counter("lb_healthy_panic");
    updateAttempt = scope.counter("update_attempt");
    updateSuccess = scope.counter("update_success");
    updateFailure = scope.counter("update_failure");
    updateEmpty = scope.counter("update_empty");
    maxHostWeight = scope.gauge("max_host_weight");
    StatsScope cb = scope.scope("circuit_breakers").scope("default");
    cbCxOpen = cb.gauge("cx_open");
    cbRqPendingOpen = cb.gauge("rq_pending_open");
    cbRqOpen = cb.gauge("rq_open");
    cbRqRetryOpen = cb.gauge("rq_retry_open");
    rq1xx = scope.counter("upstream_rq_1xx");
    rq2xx = scope.counter("upstream_rq_2xx");
    rq3xx = scope.counter("upstream_rq_3xx");
    rq4xx = scope.counter("upstream_rq_4xx");
    rq5xx = scope.counter("upstream_rq_5xx");
  }

  /** Counts a finished upstream request by response code ({@code upstream_rq_2xx}, {@code upstream_rq_200}). */
  public void onResponseCode(int code) {
    switch (code / 100) {
      case 1 -> rq1xx.inc();
      case 2 -> rq2xx.inc();
      case 3 -> rq3xx.inc();
      case 4 -> rq4xx.inc();
      case 5 -> rq5xx.inc();
      default -> { }
    }
    perCode.computeIfAbsent(code, c -> scope.counter("upstream_rq_" + c)).inc();
  }
}
