package dev.xdsdp.dataplane.http;

import static dev.xdsdp.dataplane.stats.HttpConnManagerStatName.*;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.stats.HttpConnManagerListenerStatName;
import dev.xdsdp.dataplane.stats.HttpConnManagerStatName;
import dev.xdsdp.dataplane.stats.StatSet;

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
  private final Counter[] rqXx;
  private final Counter[] listenerRqXx;
  private final Counter listenerRqCompleted;

  public HcmStats(StatsScope root, String statPrefix, String listenerStatPrefix) {
    StatSet<HttpConnManagerStatName> s = StatSet.create(root.scope("http").scope(statPrefix), HttpConnManagerStatName.class);
    StatSet<HttpConnManagerListenerStatName> l = StatSet.create(
        root.scope("listener").scope(listenerStatPrefix).scope("http").scope(statPrefix), HttpConnManagerListenerStatName.class);
    downstreamCxTotal = s.counter(DOWNSTREAM_CX_TOTAL);
    downstreamCxActive = s.gauge(DOWNSTREAM_CX_ACTIVE);
    downstreamCxHttp1Total = s.counter(DOWNSTREAM_CX_HTTP1_TOTAL);
    downstreamCxHttp2Total = s.counter(DOWNSTREAM_CX_HTTP2_TOTAL);
    downstreamCxHttp1Active = s.gauge(DOWNSTREAM_CX_HTTP1_ACTIVE);
    downstreamCxHttp2Active = s.gauge(DOWNSTREAM_CX_HTTP2_ACTIVE);
    downstreamCxDestroy = s.counter(DOWNSTREAM_CX_DESTROY);
    downstreamCxDestroyRemote = s.counter(DOWNSTREAM_CX_DESTROY_REMOTE);
    downstreamRqTotal = s.counter(DOWNSTREAM_RQ_TOTAL);
    downstreamRqHttp1Total = s.counter(DOWNSTREAM_RQ_HTTP1_TOTAL);
    downstreamRqHttp2Total = s.counter(DOWNSTREAM_RQ_HTTP2_TOTAL);
    downstreamRqActive = s.gauge(DOWNSTREAM_RQ_ACTIVE);
    downstreamRqCompleted = s.counter(DOWNSTREAM_RQ_COMPLETED);
    downstreamRqRxReset = s.counter(DOWNSTREAM_RQ_RX_RESET);
    downstreamRqTxReset = s.counter(DOWNSTREAM_RQ_TX_RESET);
    downstreamRqTimeout = s.counter(DOWNSTREAM_RQ_TIMEOUT);
    downstreamRqIdleTimeout = s.counter(DOWNSTREAM_RQ_IDLE_TIMEOUT);
    downstreamRqTooLarge = s.counter(DOWNSTREAM_RQ_TOO_LARGE);
    downstreamRqNonRelativePath = s.counter(DOWNSTREAM_RQ_NON_RELATIVE_PATH);
    downstreamRqTime = s.histogram(DOWNSTREAM_RQ_TIME);
    rqXx = new Counter[] {s.counter(DOWNSTREAM_RQ_1XX), s.counter(DOWNSTREAM_RQ_2XX), s.counter(DOWNSTREAM_RQ_3XX),
        s.counter(DOWNSTREAM_RQ_4XX), s.counter(DOWNSTREAM_RQ_5XX)};
    listenerRqXx = new Counter[] {
        l.counter(HttpConnManagerListenerStatName.DOWNSTREAM_RQ_1XX), l.counter(HttpConnManagerListenerStatName.DOWNSTREAM_RQ_2XX),
        l.counter(HttpConnManagerListenerStatName.DOWNSTREAM_RQ_3XX), l.counter(HttpConnManagerListenerStatName.DOWNSTREAM_RQ_4XX),
        l.counter(HttpConnManagerListenerStatName.DOWNSTREAM_RQ_5XX)};
    listenerRqCompleted = l.counter(HttpConnManagerListenerStatName.DOWNSTREAM_RQ_COMPLETED);
  }

  /** Counts a response sent downstream by class ({@code downstream_rq_2xx}), here and per listener. */
  public void onResponseCode(int code) {
    int cls = code / 100;
    if (cls >= 1 && cls <= 5) {
      rqXx[cls - 1].inc();
      listenerRqXx[cls - 1].inc();
    }
  }

  /** A request completed: {@code downstream_rq_completed} here and per listener. */
  public void onCompleted() {
    downstreamRqCompleted.inc();
    listenerRqCompleted.inc();
  }
}
