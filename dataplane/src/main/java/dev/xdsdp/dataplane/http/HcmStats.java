package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;

/**
 * An HTTP connection manager's stats under {@code http.<stat_prefix>.}, plus the per-listener copy
 * of the response-code counters under {@code listener.<address>.http.<stat_prefix>.}, as Envoy.
 */
public final class HcmStats {

  public final Counter downstreamCxTotal;
  public final Gauge downstreamCxActive;
  public final Counter downstreamCxHttp1Total;
  public final Counter downstreamCxHttp2Total;
  public final Gauge downstreamCxHttp1Active;
  public final Gauge downstreamCxHttp2Active;
  public final Counter downstreamCxDestroy;
  public final Counter downstreamCxDestroyRemote;
  public final Counter downstreamRqTotal;
  public final Counter downstreamRqHttp1Total;
  public final Counter downstreamRqHttp2Total;
  public final Gauge downstreamRqActive;
  public final Counter downstreamRqCompleted;
  public final Counter downstreamRqRxReset;
  public final Counter downstreamRqTxReset;
  public final Counter downstreamRqTimeout;
  public final Counter downstreamRqIdleTimeout;
  public final Counter downstreamRqTooLarge;
  public final Counter downstreamRqNonRelativePath;
  public final Histogram downstreamRqTime;
  private final Counter[] rqXx = new Counter[5];
  private final Counter[] listenerRqXx = new Counter[5];

  public HcmStats(StatsScope root, String statPrefix, String listenerStatPrefix) {
    StatsScope s = root.scope("http").scope(statPrefix);
    downstreamCxTotal = s.counter("downstream_cx_total");
    downstreamCxActive = s.gauge("downstream_cx_active");
    downstreamCxHttp1Total = s.counter("downstream_cx_http1_total");
    downstreamCxHttp2Total = s.counter("downstream_cx_http2_total");
    downstreamCxHttp1Active = s.gauge("downstream_cx_http1_active");
    downstreamCxHttp2Active = s.gauge("downstream_cx_http2_active");
    downstreamCxDestroy = s.counter("downstream_cx_destroy");
    downstreamCxDestroyRemote = s.counter("downstream_cx_destroy_remote");
    downstreamRqTotal = s.counter("downstream_rq_total");
    downstreamRqHttp1Total = s.counter("downstream_rq_http1_total");
    downstreamRqHttp2Total = s.counter("downstream_rq_http2_total");
    downstreamRqActive = s.gauge("downstream_rq_active");
    downstreamRqCompleted = s.counter("downstream_rq_completed");
    downstreamRqRxReset = s.counter("downstream_rq_rx_reset");
    downstreamRqTxReset = s.counter("downstream_rq_tx_reset");
    downstreamRqTimeout = s.counter("downstream_rq_timeout");
    downstreamRqIdleTimeout = s.counter("downstream_rq_idle_timeout");
    downstreamRqTooLarge = s.counter("downstream_rq_too_large");
    downstreamRqNonRelativePath = s.counter("downstream_rq_non_relative_path");
    downstreamRqTime = s.histogram("downstream_rq_time", Histogram.Unit.MILLISECONDS);
    StatsScope l = root.scope("listener").scope(listenerStatPrefix).scope("http").scope(statPrefix);
    for (int i = 0; i < 5; i++) {
      rqXx[i] = s.counter("downstream_rq_" + (i + 1) + "xx");
      listenerRqXx[i] = l.counter("downstream_rq_" + (i + 1) + "xx");
    }
  }

  public void onResponseCode(int code) {
    int cls = code / 100;
    if (cls >= 1 && cls <= 5) {
      rqXx[cls - 1].inc();
      listenerRqXx[cls - 1].inc();
    }
  }
}
